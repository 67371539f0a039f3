package org.bpfsdt.loader;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.loader.sdt.LinkedProbe;
import org.bpfsdt.loader.sdt.SdtNote;

/**
 * An SDT probe of an opened object ({@code BPF_SDT_PROBE<N>} with its {@code BPF_SDT_DECLARE<N>}):
 * its name, argument types and registers, where its NOP is, and the programs that contain it.
 * An observer attaches to it by name once a program containing it is loaded.
 */
public final class ObjectSdtProbe {
    /** Where a program contains the probe: the NOP's instruction slot in the program as loaded. */
    public record Site(String program, int insn) {
    }

    private final ObjectFile object;
    private final SdtNote note;
    private final Btf btf;

    ObjectSdtProbe(ObjectFile object, SdtNote note, Btf btf) {
        this.object = object;
        this.note = note;
        this.btf = btf;
    }

    public String name() {
        return note.name();
    }

    public int argCount() {
        return note.nrArgs();
    }

    /** The C type of each argument as declared ({@code int}, {@code struct xdp_md *}). */
    public List<String> argTypes() {
        List<BtfType.Param> params = ((BtfType.FuncProto) btf.type(note.protoId())).params();
        return params.stream().map(p -> btf.typeName(p.type())).toList();
    }

    /** The register holding each argument at the NOP. */
    public int[] argRegs() {
        return note.argRegs();
    }

    /** Sizes, signedness and registers of the arguments, as a trampoline stores them. */
    public FuncModel model() {
        return note.model();
    }

    /** The FUNC_PROTO that types the arguments, in the object's BTF. */
    public int btfId() {
        return note.protoId();
    }

    /** The code section of the NOP. */
    public String section() {
        return note.section();
    }

    /** The NOP's instruction slot in its section. */
    public int sectionInsn() {
        return note.sectionInsn();
    }

    /** {@code probe_len_ret(int, int)}. */
    public String declaration() {
        return name() + "(" + String.join(", ", argTypes()) + ")";
    }

    /** The programs whose loaded code contains the NOP (a subprogram's probe is in every program that calls it). */
    public List<Site> sites() {
        List<Site> out = new ArrayList<>();
        for (ObjectProgram p : object.programs()) {
            for (LinkedProbe lp : p.linked().sdtProbes()) {
                if (lp.note().equals(note)) {
                    out.add(new Site(p.name(), lp.insn()));
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return declaration();
    }
}
