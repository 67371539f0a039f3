package org.bpfsdt.maps;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bpfsdt.api.MapSpec;

/**
 * The Linux {@code bpf()} syscall, just enough of it to ask the running kernel what it does with
 * a map: create, the element commands, freeze. Every call returns what the syscall does: a
 * result, or a negative errno. Test-only: the oracle the maps are compared with.
 */
public final class KernelBpf {
    private static final long SYS_BPF = 321; // x86_64
    private static final int MAP_CREATE = 0, MAP_LOOKUP_ELEM = 1, MAP_UPDATE_ELEM = 2, MAP_DELETE_ELEM = 3,
            MAP_GET_NEXT_KEY = 4, MAP_LOOKUP_AND_DELETE_ELEM = 21, MAP_FREEZE = 22;
    private static final int ATTR_SIZE = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private KernelBpf() {
    }

    /** Why the kernel cannot be asked here, or {@code null} when it can. */
    public static String unavailableReason() {
        if (!System.getProperty("os.arch").equals("amd64")) {
            return "the kernel oracle binds the x86_64 bpf() syscall number; this is " + System.getProperty("os.arch");
        }
        long fd = mapCreate(MapSpec.of(org.bpfsdt.api.MapType.ARRAY, 4, 4, 1));
        if (fd < 0) {
            return "bpf(BPF_MAP_CREATE) fails with errno " + -fd + " here (not root, or bpf() is not allowed)";
        }
        close(fd);
        return null;
    }

    /** The number of possible CPUs per-CPU maps of this kernel hold values for. */
    public static int possibleCpus() {
        try {
            String range = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
            int cpus = 0;
            for (String part : range.split(",")) {
                String[] ends = part.split("-");
                cpus += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return cpus;
        } catch (java.io.IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static long call(int cmd, MemorySegment attr) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long rc = (long) SYSCALL.invokeExact(state, SYS_BPF, cmd, attr, ATTR_SIZE);
            return rc >= 0 ? rc : -(int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code BPF_MAP_CREATE}: a file descriptor or a negative errno. */
    public static long mapCreate(MapSpec spec) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(ATTR_SIZE, 8);
            a.set(JAVA_INT, 0, spec.type().kernelId());
            a.set(JAVA_INT, 4, spec.keySize());
            a.set(JAVA_INT, 8, spec.valueSize());
            a.set(JAVA_INT, 12, spec.maxEntries());
            a.set(JAVA_INT, 16, spec.flags());
            byte[] name = spec.name().getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(name, 0, a, ValueLayout.JAVA_BYTE, 28, Math.min(name.length, 16));
            a.set(JAVA_LONG, 64, spec.mapExtra());
            return call(MAP_CREATE, a);
        }
    }

    private static long elem(int cmd, long fd, MemorySegment key, MemorySegment valueOrNext, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(ATTR_SIZE, 8);
            a.set(JAVA_INT, 0, (int) fd);
            a.set(JAVA_LONG, 8, key == null ? 0 : key.address());
            a.set(JAVA_LONG, 16, valueOrNext == null ? 0 : valueOrNext.address());
            a.set(JAVA_LONG, 24, flags);
            return call(cmd, a);
        }
    }

    public static long lookup(long fd, MemorySegment key, MemorySegment valueOut) {
        return elem(MAP_LOOKUP_ELEM, fd, key, valueOut, 0);
    }

    public static long update(long fd, MemorySegment key, MemorySegment value, long flags) {
        return elem(MAP_UPDATE_ELEM, fd, key, value, flags);
    }

    public static long delete(long fd, MemorySegment key) {
        return elem(MAP_DELETE_ELEM, fd, key, null, 0);
    }

    public static long nextKey(long fd, MemorySegment key, MemorySegment nextOut) {
        return elem(MAP_GET_NEXT_KEY, fd, key, nextOut, 0);
    }

    public static long lookupAndDelete(long fd, MemorySegment key, MemorySegment valueOut) {
        return elem(MAP_LOOKUP_AND_DELETE_ELEM, fd, key, valueOut, 0);
    }

    public static long freeze(long fd) {
        return elem(MAP_FREEZE, fd, null, null, 0);
    }

    public static void close(long fd) {
        try {
            int ignored = (int) CLOSE.invokeExact((int) fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
