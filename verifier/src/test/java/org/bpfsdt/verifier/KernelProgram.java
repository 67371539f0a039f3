package org.bpfsdt.verifier;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.oracle.KernelBpf;

/**
 * A program ready to load into the running kernel: kernel maps equivalent to the verifier
 * request's maps, and the instructions with map loads by index turned into loads by the
 * kernel's map fds. Closing it closes the maps. (Tests and benchmarks.)
 */
public final class KernelProgram implements AutoCloseable {
    private final List<Integer> fds = new ArrayList<>();
    private final KernelBpf.ProgLoad load;

    public KernelProgram(ProgramType type, AttachType attach, List<Insn> insns, List<MapDescriptor> maps) {
        try {
            for (MapDescriptor m : maps) {
                int fd = KernelBpf.mapCreate(m.type(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(), 0, "m" + fds.size());
                fds.add(fd);
                if (m.frozen() || (m.flags() & MapFlags.RDONLY_PROG) != 0) {
                    KernelBpf.mapFreeze(fd);
                }
            }
        } catch (BpfException e) {
            close();
            throw e;
        }
        List<Insn> code = new ArrayList<>(insns);
        for (int i = 0; i < code.size(); i++) {
            Insn in = code.get(i);
            if (in.isLddw() && (in.src() == Opcodes.PSEUDO_MAP_IDX || in.src() == Opcodes.PSEUDO_MAP_IDX_VALUE)) {
                int fd = in.imm() >= 0 && in.imm() < fds.size() ? fds.get(in.imm()) : 0x3fffffff;
                code.set(i, new Insn(Opcodes.LDDW, in.dst(), in.src() == Opcodes.PSEUDO_MAP_IDX ? Opcodes.PSEUDO_MAP_FD : Opcodes.PSEUDO_MAP_VALUE, 0,
                        fd));
                i++;
            }
        }
        load = new KernelBpf.ProgLoad(type, code, "GPL", attach == null ? 0 : attach.kernelId(), 0);
    }

    /** {@code BPF_PROG_LOAD}, closing the program again; throws the kernel's refusal. */
    public void load() {
        KernelBpf.close(KernelBpf.progLoad(load));
    }

    /** {@code BPF_PROG_LOAD} with the kernel's log at {@code level}: the refusal carries it. */
    public void load(int level) {
        KernelBpf.close(KernelBpf.progLoad(new KernelBpf.ProgLoad(load.type(), load.insns(), load.license(), load.expectedAttachType(), level)));
    }

    @Override
    public void close() {
        fds.forEach(KernelBpf::close);
        fds.clear();
    }
}
