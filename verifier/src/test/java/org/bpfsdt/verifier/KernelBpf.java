package org.bpfsdt.verifier;

import static java.lang.foreign.ValueLayout.*;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.MapDescriptor;

/**
 * The running kernel's verifier as an oracle, through the {@code bpf()} system call (FFM):
 * creates equivalent maps, loads a program, and reports the verdict with the kernel's log.
 */
final class KernelBpf {
    private static final long SYS_BPF = 321;
    private static final int BPF_MAP_CREATE = 0, BPF_PROG_LOAD = 5;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG), Linker.Option.firstVariadicArg(1),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** The kernel's verdict: accepted, or the errno with its log. */
    record Verdict(boolean accepted, int errno, String log, long nanos) {
    }

    private KernelBpf() {
    }

    private static long bpf(Arena arena, int cmd, MemorySegment attr, long size, int[] errno) throws Throwable {
        MemorySegment state = arena.allocate(CALL_STATE);
        long r = (long) SYSCALL.invokeExact(state, SYS_BPF, (long) cmd, attr, size);
        errno[0] = r < 0 ? (int) ERRNO.get(state, 0L) : 0;
        return r;
    }

    /** Whether the bpf() syscall can load programs here (root on Linux). */
    static boolean available() {
        try {
            Verdict v = load(ProgramType.SOCKET_FILTER, null, List.of(Insn.mov64Imm(0, 0), Insn.exit()), List.of(), 0);
            return v.accepted();
        } catch (Throwable t) {
            return false;
        }
    }

    /** Loads {@code insns} (map loads by index into {@code maps}, or by a map's id) into the kernel, then closes everything. */
    static Verdict load(ProgramType type, AttachType attach, List<Insn> insns, List<MapDescriptor> maps, int logLevel) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            int[] errno = new int[1];
            List<Integer> fds = new ArrayList<>();
            try {
                for (MapDescriptor m : maps) {
                    MemorySegment attr = arena.allocate(128);
                    attr.set(JAVA_INT, 0, m.type().kernelId());
                    attr.set(JAVA_INT, 4, m.keySize());
                    attr.set(JAVA_INT, 8, m.valueSize());
                    attr.set(JAVA_INT, 12, m.maxEntries());
                    attr.set(JAVA_INT, 16, m.flags());
                    long fd = bpf(arena, BPF_MAP_CREATE, attr, 128, errno);
                    if (fd < 0) {
                        throw new IllegalStateException("BPF_MAP_CREATE " + m + " failed: errno " + errno[0]);
                    }
                    fds.add((int) fd);
                }
                MemorySegment code = arena.allocate(8L * insns.size());
                for (int i = 0; i < insns.size(); i++) {
                    Insn in = insns.get(i);
                    if (in.isLddw() && (in.src() == Opcodes.PSEUDO_MAP_FD || in.src() == Opcodes.PSEUDO_MAP_VALUE)) {
                        int idx = indexOfId(maps, in.imm());
                        in = in.withImm(idx >= 0 ? fds.get(idx) : 0x7fffffff);
                    }
                    code.set(JAVA_LONG, 8L * i, in.encode());
                }
                MemorySegment fdArray = arena.allocate(4L * Math.max(1, fds.size()));
                for (int i = 0; i < fds.size(); i++) {
                    fdArray.set(JAVA_INT, 4L * i, fds.get(i));
                }
                MemorySegment license = arena.allocateFrom("GPL");
                int logSize = logLevel > 0 ? 16 << 20 : 0;
                MemorySegment log = logLevel > 0 ? arena.allocate(logSize) : MemorySegment.NULL;
                MemorySegment attr = arena.allocate(160);
                attr.set(JAVA_INT, 0, type.kernelId());
                attr.set(JAVA_INT, 4, insns.size());
                attr.set(JAVA_LONG, 8, code.address());
                attr.set(JAVA_LONG, 16, license.address());
                attr.set(JAVA_INT, 24, logLevel);
                attr.set(JAVA_INT, 28, logSize);
                attr.set(JAVA_LONG, 32, log.address());
                if (attach != null) {
                    attr.set(JAVA_INT, 68, attach.kernelId());
                }
                attr.set(JAVA_LONG, 120, fdArray.address());
                long t0 = System.nanoTime();
                long fd = bpf(arena, BPF_PROG_LOAD, attr, 160, errno);
                long t1 = System.nanoTime();
                String text = logLevel > 0 ? log.getString(0, StandardCharsets.UTF_8) : "";
                if (fd >= 0) {
                    int unused = (int) CLOSE.invokeExact((int) fd);
                    return new Verdict(true, 0, text, t1 - t0);
                }
                return new Verdict(false, errno[0], text, t1 - t0);
            } finally {
                for (int fd : fds) {
                    int unused = (int) CLOSE.invokeExact(fd);
                }
            }
        }
    }

    private static int indexOfId(List<MapDescriptor> maps, int id) {
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).id() == id) {
                return i;
            }
        }
        return -1;
    }
}
