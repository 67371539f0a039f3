package org.bpfsdt.loader.sdt;

import java.util.Arrays;

import org.bpfsdt.api.spi.FuncModel;

/**
 * One SDT probe as the compiler recorded it: an entry of {@code .bpf_sdt_notes} with its BTF
 * declaration.
 *
 * @param name        probe name (the label {@code ___sdt_jt_<name>})
 * @param section     the code section of its NOP
 * @param sectionInsn the NOP's instruction slot in that section
 * @param argRegs     the register holding each argument at the NOP (the sources of the note's movs)
 * @param protoId     the FUNC_PROTO of its {@code BPF_SDT_DECLARE}, in the object's BTF
 * @param model       argument sizes and signedness from that FUNC_PROTO, with the registers
 */
public record SdtNote(String name, String section, int sectionInsn, int[] argRegs, int protoId, FuncModel model) {
    public SdtNote {
        argRegs = argRegs.clone();
    }

    @Override
    public int[] argRegs() {
        return argRegs.clone();
    }

    public int nrArgs() {
        return argRegs.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SdtNote n && n.name.equals(name) && n.section.equals(section) && n.sectionInsn == sectionInsn
                && Arrays.equals(n.argRegs, argRegs) && n.protoId == protoId;
    }

    @Override
    public int hashCode() {
        return (name.hashCode() * 31 + section.hashCode()) * 31 + sectionInsn;
    }
}
