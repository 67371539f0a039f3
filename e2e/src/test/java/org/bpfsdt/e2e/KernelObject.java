package org.bpfsdt.e2e;

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
import org.bpfsdt.oracle.KernelBpf;

/**
 * An object loaded into the running kernel exactly as the loader links it for this runtime
 * (subprograms appended, CO-RE resolved against the runtime's context types, global data in
 * single-entry arrays), as libbpf would: maps created with the kernel's {@code BPF_MAP_CREATE},
 * initial values written and {@code .rodata} frozen, map indexes turned into map fds (the oracle
 * passes no {@code fd_array}), programs loaded, PROG_ARRAY slots filled with program fds.
 * Closing it closes every fd.
 */
final class KernelObject implements AutoCloseable {
    private final ObjectFile obj;
    private final Map<String, Integer> maps = new HashMap<>();
    private final Map<String, Integer> programs = new HashMap<>();
    private final List<Integer> fds = new ArrayList<>();

    private KernelObject(ObjectFile obj) {
        this.obj = obj;
    }

    /** Loads every autoload program of {@code obj} with a type. */
    static KernelObject load(ObjectFile obj) {
        KernelObject k = new KernelObject(obj);
        try {
            k.createMaps();
            k.loadPrograms();
            k.fillProgramArrays();
            return k;
        } catch (BpfException e) {
            k.close();
            throw new AssertionError(obj.fileName() + " in the kernel: " + e.getMessage() + "\n" + e.log(), e);
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
        for (ObjectProgram p : obj.programs()) {
            if (p.type() == null || !p.autoload()) {
                continue;
            }
            int attach = p.attachType() == null || p.attachType() == AttachType.TRACE_SDT ? 0 : p.attachType().kernelId();
            int fd = KernelBpf.progLoad(new KernelBpf.ProgLoad(p.type(), withMapFds(p), obj.license(), attach, 1));
            fds.add(fd);
            programs.put(p.name(), fd);
        }
    }

    private void fillProgramArrays() {
        for (ObjectMap m : obj.maps()) {
            for (int slot = 0; m.type() == MapType.PROG_ARRAY && slot < m.initialSlots().size(); slot++) {
                String target = m.initialSlots().get(slot);
                if (target != null) {
                    KernelBpf.mapUpdate(maps.get(m.name()), Catalogue.le32(slot), Catalogue.le32(programs.get(target)), MapFlags.ANY);
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

    int program(String name) {
        Integer fd = programs.get(name);
        if (fd == null) {
            throw new IllegalArgumentException(obj.fileName() + " has no loaded program " + name);
        }
        return fd;
    }

    int map(String name) {
        return maps.get(name);
    }

    /** Writes map values by name, as Java writes them to this runtime's maps. */
    ProgramCase.MapWriter writer() {
        return (map, key, value) -> KernelBpf.mapUpdate(map(map), key, value, MapFlags.ANY);
    }

    /** {@code BPF_PROG_TEST_RUN} of {@code program} once, with room for a page of packet out. */
    KernelBpf.TestRun run(String program, byte[] data, byte[] ctx) {
        return KernelBpf.testRun(program(program), data, ctx, 1, data == null ? 0 : 8192);
    }

    @Override
    public void close() {
        fds.forEach(KernelBpf::close);
        fds.clear();
    }
}
