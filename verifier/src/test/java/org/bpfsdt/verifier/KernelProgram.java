package org.bpfsdt.verifier;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.btf.BtfBuilder;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.oracle.KernelBpf;
import org.bpfsdt.oracle.KernelBtf;

/**
 * A program ready to load into the running kernel: kernel maps equivalent to the verifier
 * request's maps (with their initial values, frozen where the request's are), the program's BTF
 * and func_info when it has them, and the instructions with map loads by index turned into loads
 * by the kernel's map fds. Closing it closes the maps and the BTF. (Tests and benchmarks.)
 */
public final class KernelProgram implements AutoCloseable {
    /** Every fd to close: maps and BTF objects. */
    private final List<Integer> fds = new ArrayList<>();
    private final List<Integer> mapFds = new ArrayList<>();
    private final KernelBpf.ProgLoad load;
    private KernelBpf.ProgBtf btf;

    public KernelProgram(ProgramType type, AttachType attach, List<Insn> insns, List<MapDescriptor> maps) {
        this(type, attach, insns, maps, null, null);
    }

    /**
     * @param initialValues per map, the bytes written to its first value before it is frozen ({@code null}: none)
     * @param funcBtf       BTF and func_info, or {@code null}
     */
    KernelProgram(ProgramType type, AttachType attach, List<Insn> insns, List<MapDescriptor> maps, List<byte[]> initialValues, FuncBtf funcBtf) {
        try {
            for (int i = 0; i < maps.size(); i++) {
                MapDescriptor m = maps.get(i);
                int fd = KernelBpf.mapCreate(m.type(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(), 0, "m" + i, lockBtf(m));
                fds.add(fd);
                mapFds.add(fd);
                byte[] v = initialValues == null || i >= initialValues.size() ? null : initialValues.get(i);
                if (v != null) {
                    KernelBpf.mapUpdate(fd, new byte[4], java.util.Arrays.copyOf(v, m.valueSize()), MapFlags.ANY);
                }
                if (m.frozen()) {
                    KernelBpf.mapFreeze(fd);
                }
            }
            if (funcBtf != null) {
                int btfFd = KernelBpf.btfLoad(KernelBtf.encode(funcBtf.btf()));
                fds.add(btfFd);
                btf = new KernelBpf.ProgBtf(btfFd, funcBtf.funcInfo());
            }
        } catch (BpfException e) {
            close();
            throw e;
        }
        List<Insn> code = new ArrayList<>(insns);
        for (int i = 0; i < code.size(); i++) {
            Insn in = code.get(i);
            if (in.isLddw() && (in.src() == Opcodes.PSEUDO_MAP_IDX || in.src() == Opcodes.PSEUDO_MAP_IDX_VALUE)) {
                int fd = in.imm() >= 0 && in.imm() < mapFds.size() ? mapFds.get(in.imm()) : 0x3fffffff;
                code.set(i, new Insn(Opcodes.LDDW, in.dst(), in.src() == Opcodes.PSEUDO_MAP_IDX ? Opcodes.PSEUDO_MAP_FD : Opcodes.PSEUDO_MAP_VALUE, 0,
                        fd));
                i++;
            }
        }
        load = new KernelBpf.ProgLoad(type, code, "GPL", attach == null ? 0 : attach.kernelId(), 0);
    }

    /**
     * For a map whose value holds a {@code bpf_spin_lock} (a descriptor's lock offset), BTF that
     * says so, as the kernel needs: {@code struct value { ...; struct bpf_spin_lock lock; ... }}.
     */
    private KernelBpf.MapBtf lockBtf(MapDescriptor m) {
        if (m.spinLockOffset() < 0) {
            return null;
        }
        BtfBuilder b = new BtfBuilder();
        int u32 = b.integer("unsigned int", 4, false);
        int lock = b.struct("bpf_spin_lock", 4, List.of(BtfBuilder.member("val", u32, 0)));
        int value = b.struct("value", m.valueSize(), List.of(BtfBuilder.member("lock", lock, m.spinLockOffset())));
        int fd = KernelBpf.btfLoad(KernelBtf.encode(b.build()));
        fds.add(fd);
        return new KernelBpf.MapBtf(fd, u32, value);
    }

    /** {@code BPF_PROG_LOAD}, closing the program again; throws the kernel's refusal. */
    public void load() {
        KernelBpf.close(btf == null ? KernelBpf.progLoad(load) : KernelBpf.progLoad(load, btf));
    }

    /** {@code BPF_PROG_LOAD} with the kernel's log at {@code level}: the refusal carries it. */
    public void load(int level) {
        KernelBpf.ProgLoad p = new KernelBpf.ProgLoad(load.type(), load.insns(), load.license(), load.expectedAttachType(), level);
        KernelBpf.close(btf == null ? KernelBpf.progLoad(p) : KernelBpf.progLoad(p, btf));
    }

    /** The kernel's verifier log of an accepted program at {@code level}. */
    public String log(int level) {
        int[] fd = new int[1];
        String log = KernelBpf.progLoadLog(new KernelBpf.ProgLoad(load.type(), load.insns(), load.license(), load.expectedAttachType(), level), btf, fd);
        KernelBpf.close(fd[0]);
        return log;
    }

    @Override
    public void close() {
        fds.forEach(KernelBpf::close);
        fds.clear();
    }
}
