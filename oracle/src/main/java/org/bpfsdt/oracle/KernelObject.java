package org.bpfsdt.oracle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectMap;
import org.bpfsdt.loader.ObjectProgram;

/**
 * An object loaded into the running kernel exactly as the loader links it for the runtime
 * (subprograms appended, CO-RE resolved against the runtime's context types, global data in
 * single-entry arrays), as libbpf would: maps created with the kernel's {@code BPF_MAP_CREATE},
 * initial values written and {@code .rodata} frozen, the object's BTF loaded and passed with each
 * program's func_info (so the kernel verifies global functions on their own), map indexes turned
 * into map fds (the oracle passes no {@code fd_array}), programs loaded, PROG_ARRAY slots filled
 * with program fds. Closing it closes every fd.
 */
public final class KernelObject implements AutoCloseable {
    private final ObjectFile obj;
    private final Map<String, Integer> maps = new HashMap<>();
    private final Map<String, Integer> programs = new HashMap<>();
    private final List<Integer> fds = new ArrayList<>();

    private KernelObject(ObjectFile obj) {
        this.obj = obj;
    }

    /**
     * Loads every autoload program of {@code obj} that has a type; a failure closes what was
     * created and fails with the kernel's errno and verifier log.
     */
    public static KernelObject load(ObjectFile obj) {
        KernelObject k = new KernelObject(obj);
        try {
            k.createMaps();
            k.loadPrograms();
            k.fillProgramArrays();
            return k;
        } catch (BpfException e) {
            k.close();
            throw new BpfException(e.errno(), obj.fileName() + " in the kernel: " + e.reason(), e).withLog(e.log());
        } catch (RuntimeException e) {
            k.close();
            throw e;
        }
    }

    private void createMaps() {
        for (ObjectMap m : obj.maps()) {
            MapSpec s = m.toSpec();
            int fd = KernelBpf.mapCreate(s.type(), s.keySize(), s.valueSize(), s.maxEntries(), s.flags(), s.mapExtra(), s.name());
            fds.add(fd);
            maps.put(m.name(), fd);
            if (m.kind().isGlobalData()) {
                KernelBpf.mapUpdate(fd, new byte[4], m.initialValue(), MapFlags.ANY);
                if (m.frozenAfterLoad()) {
                    KernelBpf.mapFreeze(fd);
                }
            }
        }
    }

    private void loadPrograms() {
        int btfFd = -1;
        if (obj.btf().isPresent()) {
            btfFd = KernelBpf.btfLoad(KernelBtf.encode(obj.btf().get()));
            fds.add(btfFd);
        }
        for (ObjectProgram p : obj.programs()) {
            if (p.type() == null || !p.autoload()) {
                continue;
            }
            int attach = p.attachType() == null || p.attachType() == AttachType.TRACE_SDT ? 0 : p.attachType().kernelId();
            KernelBpf.ProgLoad load = new KernelBpf.ProgLoad(p.type(), withMapFds(p), obj.license(), attach, 1);
            int fd = btfFd < 0 ? KernelBpf.progLoad(load) : KernelBpf.progLoad(load, new KernelBpf.ProgBtf(btfFd, p.funcInfo()));
            fds.add(fd);
            programs.put(p.name(), fd);
        }
    }

    private void fillProgramArrays() {
        for (ObjectMap m : obj.maps()) {
            for (int slot = 0; m.type() == MapType.PROG_ARRAY && slot < m.initialSlots().size(); slot++) {
                String target = m.initialSlots().get(slot);
                if (target != null) {
                    KernelBpf.mapUpdate(maps.get(m.name()), le32(slot), le32(programs.get(target)), MapFlags.ANY);
                }
            }
        }
    }

    /** The program's instructions with {@code BPF_PSEUDO_MAP_IDX[_VALUE]} turned into the kernel's {@code MAP_FD}/{@code MAP_VALUE} forms. */
    private List<Insn> withMapFds(ObjectProgram p) {
        List<Insn> out = new ArrayList<>(p.instructions());
        for (int pc = 0; pc < out.size(); pc++) {
            Insn in = out.get(pc);
            if (in.isLddw() && (in.src() == Opcodes.PSEUDO_MAP_IDX || in.src() == Opcodes.PSEUDO_MAP_IDX_VALUE)) {
                int src = in.src() == Opcodes.PSEUDO_MAP_IDX ? Opcodes.PSEUDO_MAP_FD : Opcodes.PSEUDO_MAP_VALUE;
                out.set(pc, new Insn(in.opcode(), in.dst(), src, 0, maps.get(p.mapNames().get(in.imm()))));
            }
        }
        return out;
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /** The fd of the loaded program {@code name} (its name in the object). */
    public int program(String name) {
        Integer fd = programs.get(name);
        if (fd == null) {
            throw new IllegalArgumentException(obj.fileName() + " has no loaded program " + name);
        }
        return fd;
    }

    /** The fd of the map {@code name} (its name in the object: a {@code .maps} variable or a data section). */
    public int map(String name) {
        Integer fd = maps.get(name);
        if (fd == null) {
            throw new IllegalArgumentException(obj.fileName() + " has no map " + name);
        }
        return fd;
    }

    /** {@code BPF_MAP_UPDATE_ELEM} on the map {@code name}. */
    public void update(String map, byte[] key, byte[] value) {
        KernelBpf.mapUpdate(map(map), key, value, MapFlags.ANY);
    }

    /** {@code BPF_PROG_TEST_RUN} of {@code program} {@code repeat} times, with room for two pages of packet out. */
    public KernelBpf.TestRun run(String program, byte[] data, byte[] ctx, int repeat) {
        return KernelBpf.testRun(program(program), data, ctx, repeat, data == null ? 0 : 8192);
    }

    @Override
    public void close() {
        fds.forEach(KernelBpf::close);
        fds.clear();
    }
}
