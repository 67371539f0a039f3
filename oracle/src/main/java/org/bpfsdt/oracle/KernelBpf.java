package org.bpfsdt.oracle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.FuncInfo;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.InsnCodec;

/**
 * The running kernel's {@code bpf()} syscall (x86_64 Linux, syscall 321), for tests and
 * benchmarks that compare bpf-sdt with Linux. Failures are {@link BpfException}s carrying the
 * kernel's errno and, for program loads, the kernel verifier's log. File descriptors returned
 * are the caller's to {@link #close(int)}.
 */
public final class KernelBpf {
    private static final long SYS_BPF = 321;
    private static final int MAP_CREATE = 0, MAP_LOOKUP_ELEM = 1, MAP_UPDATE_ELEM = 2, MAP_DELETE_ELEM = 3,
            MAP_GET_NEXT_KEY = 4, PROG_LOAD = 5, PROG_TEST_RUN = 10, BTF_LOAD = 18, MAP_LOOKUP_AND_DELETE_ELEM = 21, MAP_FREEZE = 22;
    private static final int ATTR_SIZE = 160;
    private static final int LOG_SIZE = 1 << 24;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static volatile Availability availability;

    private KernelBpf() {
    }

    /** Whether the syscall works in this process, and if not, why not (for a test's skip message). */
    public record Availability(boolean available, String reason) {
    }

    /** Probes once: loads {@code r0 = 0; exit} as a socket filter. */
    public static Availability availability() {
        Availability a = availability;
        if (a == null) {
            a = probe();
            availability = a;
        }
        return a;
    }

    private static Availability probe() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux") || !System.getProperty("os.arch", "").equals("amd64")) {
            return new Availability(false, "the kernel oracle needs Linux on x86_64 (this is " + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ")");
        }
        try {
            int fd = progLoad(new ProgLoad(ProgramType.SOCKET_FILTER, List.of(Insn.mov64Imm(0, 0), Insn.exit()), "GPL", 0, 0));
            close(fd);
            return new Availability(true, "bpf() works");
        } catch (BpfException e) {
            return new Availability(false, "the bpf() syscall is not usable here (" + e.getMessage() + "); run as root on Linux to compare with the kernel");
        } catch (Throwable t) {
            return new Availability(false, "the bpf() syscall could not be called: " + t);
        }
    }

    /** What {@code BPF_PROG_LOAD} needs here; maps are referenced by fd in LDDW ({@code BPF_PSEUDO_MAP_FD}). */
    public record ProgLoad(ProgramType type, List<Insn> insns, String license, int expectedAttachType, int logLevel) {
    }

    /**
     * The program's BTF for {@code BPF_PROG_LOAD}, as libbpf passes it: a loaded BTF object
     * ({@link #btfLoad}) and the func_info records, which tell the kernel which subprograms are
     * global functions (verified on their own) and what their arguments are.
     */
    public record ProgBtf(int btfFd, List<FuncInfo> funcInfo) {
        public ProgBtf {
            funcInfo = List.copyOf(funcInfo);
        }
    }

    /** {@code BPF_PROG_LOAD}: the new program's fd; a rejection carries the kernel verifier's log (when {@code logLevel > 0}). */
    public static int progLoad(ProgLoad p) {
        return load(p, null, p.logLevel(), null);
    }

    /** {@code BPF_PROG_LOAD} with the program's BTF and func_info. */
    public static int progLoad(ProgLoad p, ProgBtf btf) {
        return load(p, btf, p.logLevel(), null);
    }

    /** Loads and returns the verifier log of an accepted program (level 1 or 2); its fd goes to {@code fdOut[0]}. */
    public static String progLoadLog(ProgLoad p, int[] fdOut) {
        return progLoadLog(p, null, fdOut);
    }

    /** As {@link #progLoadLog(ProgLoad, int[])}, with the program's BTF ({@code null}: none). */
    public static String progLoadLog(ProgLoad p, ProgBtf btf, int[] fdOut) {
        StringBuilder log = new StringBuilder();
        fdOut[0] = load(p, btf, Math.max(1, p.logLevel()), log);
        return log.toString();
    }

    private static int load(ProgLoad p, ProgBtf btf, int logLevel, StringBuilder logOut) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            byte[] code = InsnCodec.encode(p.insns());
            MemorySegment insns = arena.allocate(Math.max(8, code.length), 8);
            MemorySegment.copy(code, 0, insns, ValueLayout.JAVA_BYTE, 0, code.length);
            MemorySegment license = arena.allocateFrom(p.license());
            int logSize = logLevel > 0 ? LOG_SIZE : 0;
            MemorySegment log = logSize > 0 ? arena.allocate(logSize) : MemorySegment.NULL;
            attr.set(JAVA_INT, 0, p.type().kernelId());
            attr.set(JAVA_INT, 4, p.insns().size());
            attr.set(JAVA_LONG, 8, insns.address());
            attr.set(JAVA_LONG, 16, license.address());
            attr.set(JAVA_INT, 24, logLevel);
            attr.set(JAVA_INT, 28, logSize);
            attr.set(JAVA_LONG, 32, log.address());
            attr.set(JAVA_INT, 68, p.expectedAttachType());
            if (btf != null) {
                MemorySegment funcInfo = arena.allocate(Math.max(8, 8L * btf.funcInfo().size()), 4);
                for (int i = 0; i < btf.funcInfo().size(); i++) {
                    funcInfo.set(JAVA_INT, 8L * i, btf.funcInfo().get(i).insnOff());
                    funcInfo.set(JAVA_INT, 8L * i + 4, btf.funcInfo().get(i).typeId());
                }
                attr.set(JAVA_INT, 72, btf.btfFd());
                attr.set(JAVA_INT, 76, 8);
                attr.set(JAVA_LONG, 80, funcInfo.address());
                attr.set(JAVA_INT, 88, btf.funcInfo().size());
            }
            long r = bpf(PROG_LOAD, attr, arena);
            String text = logSize > 0 ? log.getString(0, StandardCharsets.UTF_8) : "";
            if (r < 0) {
                throw failure((int) -r, "BPF_PROG_LOAD").withLog(text);
            }
            if (logOut != null) {
                logOut.append(text);
            }
            return (int) r;
        }
    }

    /** {@code BPF_MAP_CREATE}. */
    public static int mapCreate(MapType type, int keySize, int valueSize, int maxEntries, int flags, long mapExtra, String name) {
        return mapCreate(type, keySize, valueSize, maxEntries, flags, mapExtra, name, null);
    }

    /** The BTF of a map's key and value ({@code btf_fd}, {@code btf_key_type_id}, {@code btf_value_type_id}): how the kernel finds a {@code bpf_spin_lock}. */
    public record MapBtf(int btfFd, int keyTypeId, int valueTypeId) {
    }

    /** {@code BPF_MAP_CREATE} with the BTF of key and value ({@code null}: none). */
    public static int mapCreate(MapType type, int keySize, int valueSize, int maxEntries, int flags, long mapExtra, String name, MapBtf btf) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, type.kernelId());
            attr.set(JAVA_INT, 4, keySize);
            attr.set(JAVA_INT, 8, valueSize);
            attr.set(JAVA_INT, 12, maxEntries);
            attr.set(JAVA_INT, 16, flags);
            byte[] n = name == null ? new byte[0] : name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, attr, ValueLayout.JAVA_BYTE, 28, Math.min(15, n.length));
            if (btf != null) {
                attr.set(JAVA_INT, 48, btf.btfFd());
                attr.set(JAVA_INT, 52, btf.keyTypeId());
                attr.set(JAVA_INT, 56, btf.valueTypeId());
            }
            attr.set(JAVA_LONG, 64, mapExtra);
            return (int) check(bpf(MAP_CREATE, attr, arena), "BPF_MAP_CREATE " + type);
        }
    }

    /** {@code BPF_MAP_UPDATE_ELEM}; {@code key} may be null (queues, stacks). */
    public static void mapUpdate(int fd, byte[] key, byte[] value, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = elemAttr(arena, fd, key, value);
            attr.set(JAVA_LONG, 24, flags);
            check(bpf(MAP_UPDATE_ELEM, attr, arena), "BPF_MAP_UPDATE_ELEM");
        }
    }

    /** {@code BPF_MAP_LOOKUP_ELEM}: the value, or empty on ENOENT. */
    public static Optional<byte[]> mapLookup(int fd, byte[] key, int valueBytes) {
        return elemOut(MAP_LOOKUP_ELEM, "BPF_MAP_LOOKUP_ELEM", fd, key, valueBytes);
    }

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM} (a pop for queues and stacks with {@code key == null}): the value, or empty on ENOENT. */
    public static Optional<byte[]> mapLookupAndDelete(int fd, byte[] key, int valueBytes) {
        return elemOut(MAP_LOOKUP_AND_DELETE_ELEM, "BPF_MAP_LOOKUP_AND_DELETE_ELEM", fd, key, valueBytes);
    }

    /** The number of possible CPUs ({@code /sys/devices/system/cpu/possible}): how many values a per-CPU map has per key. */
    public static int possibleCpus() {
        try {
            String s = java.nio.file.Files.readString(java.nio.file.Path.of("/sys/devices/system/cpu/possible")).trim();
            int n = 0;
            for (String range : s.split(",")) {
                String[] ab = range.split("-");
                n += ab.length == 1 ? 1 : Integer.parseInt(ab[1]) - Integer.parseInt(ab[0]) + 1;
            }
            return n;
        } catch (java.io.IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** {@code BPF_MAP_DELETE_ELEM}: false on ENOENT. */
    public static boolean mapDelete(int fd, byte[] key) {
        try (Arena arena = Arena.ofConfined()) {
            long r = bpf(MAP_DELETE_ELEM, elemAttr(arena, fd, key, null), arena);
            if (r == -Errno.ENOENT.code()) {
                return false;
            }
            check(r, "BPF_MAP_DELETE_ELEM");
            return true;
        }
    }

    /** {@code BPF_MAP_GET_NEXT_KEY}; {@code key == null} asks for the first. */
    public static Optional<byte[]> mapNextKey(int fd, byte[] key, int keySize) {
        return elemOut(MAP_GET_NEXT_KEY, "BPF_MAP_GET_NEXT_KEY", fd, key, keySize);
    }

    /** An element command that writes {@code bytes} at the address in the attribute's {@code value} field (a value, or the next key); empty on ENOENT. */
    private static Optional<byte[]> elemOut(int cmd, String name, int fd, byte[] key, int bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(Math.max(1, bytes), 8);
            MemorySegment attr = elemAttr(arena, fd, key, null);
            attr.set(JAVA_LONG, 16, out.address());
            long r = bpf(cmd, attr, arena);
            if (r == -Errno.ENOENT.code()) {
                return Optional.empty();
            }
            check(r, name);
            return Optional.of(out.asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /** {@code BPF_MAP_FREEZE}. */
    public static void mapFreeze(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(JAVA_INT, 0, fd);
            check(bpf(MAP_FREEZE, attr, arena), "BPF_MAP_FREEZE");
        }
    }

    /** The outcome of {@code BPF_PROG_TEST_RUN}: retval, data out, ctx out, and the kernel's mean ns per run. */
    public record TestRun(int retval, byte[] dataOut, byte[] ctxOut, int durationNs) {
    }

    /**
     * {@code BPF_PROG_TEST_RUN} with {@code repeat} runs; {@code dataOutCapacity} bytes are
     * reserved for the packet after the run (the kernel fails with ENOSPC if it is larger).
     */
    public static TestRun testRun(int progFd, byte[] data, byte[] ctx, int repeat, int dataOutCapacity) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            MemorySegment in = data == null ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
            MemorySegment out = dataOutCapacity > 0 ? arena.allocate(dataOutCapacity) : MemorySegment.NULL;
            MemorySegment ctxIn = ctx == null ? MemorySegment.NULL : arena.allocateFrom(ValueLayout.JAVA_BYTE, ctx);
            MemorySegment ctxOut = ctx == null ? MemorySegment.NULL : arena.allocate(ctx.length);
            attr.set(JAVA_INT, 0, progFd);
            attr.set(JAVA_INT, 8, data == null ? 0 : data.length);
            attr.set(JAVA_INT, 12, dataOutCapacity);
            attr.set(JAVA_LONG, 16, in.address());
            attr.set(JAVA_LONG, 24, out.address());
            attr.set(JAVA_INT, 32, repeat);
            attr.set(JAVA_INT, 40, ctx == null ? 0 : ctx.length);
            attr.set(JAVA_INT, 44, ctx == null ? 0 : ctx.length);
            attr.set(JAVA_LONG, 48, ctxIn.address());
            attr.set(JAVA_LONG, 56, ctxOut.address());
            check(bpf(PROG_TEST_RUN, attr, arena), "BPF_PROG_TEST_RUN");
            int outLen = attr.get(JAVA_INT, 12);
            int ctxLen = attr.get(JAVA_INT, 44);
            return new TestRun(attr.get(JAVA_INT, 4),
                    dataOutCapacity > 0 ? out.asSlice(0, Math.min(outLen, dataOutCapacity)).toArray(ValueLayout.JAVA_BYTE) : new byte[0],
                    ctx == null ? new byte[0] : ctxOut.asSlice(0, Math.min(ctxLen, ctx.length)).toArray(ValueLayout.JAVA_BYTE),
                    attr.get(JAVA_INT, 36));
        }
    }

    /** {@code BPF_BTF_LOAD} of raw BTF (header, types, strings). */
    public static int btfLoad(byte[] raw) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            MemorySegment btf = arena.allocateFrom(ValueLayout.JAVA_BYTE, raw);
            MemorySegment log = arena.allocate(1 << 16);
            attr.set(JAVA_LONG, 0, btf.address());
            attr.set(JAVA_LONG, 8, log.address());
            attr.set(JAVA_INT, 16, raw.length);
            attr.set(JAVA_INT, 20, 1 << 16);
            attr.set(JAVA_INT, 24, 1);
            long r = bpf(BTF_LOAD, attr, arena);
            if (r < 0) {
                throw failure((int) -r, "BPF_BTF_LOAD").withLog(log.getString(0, StandardCharsets.UTF_8));
            }
            return (int) r;
        }
    }

    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MemorySegment elemAttr(Arena arena, int fd, byte[] key, byte[] value) {
        MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
        attr.set(JAVA_INT, 0, fd);
        attr.set(JAVA_LONG, 8, key == null ? 0 : arena.allocateFrom(ValueLayout.JAVA_BYTE, key).address());
        attr.set(JAVA_LONG, 16, value == null ? 0 : arena.allocateFrom(ValueLayout.JAVA_BYTE, value).address());
        return attr;
    }

    /** Returns the syscall result, or minus the errno. */
    private static long bpf(int cmd, MemorySegment attr, Arena arena) {
        MemorySegment state = arena.allocate(CALL_STATE);
        try {
            long r = (long) SYSCALL.invokeExact(state, SYS_BPF, cmd, attr, ATTR_SIZE);
            return r < 0 ? -(int) ERRNO.get(state, 0L) : r;
        } catch (Throwable t) {
            throw new IllegalStateException("bpf() could not be called", t);
        }
    }

    /** {@code r}, unless it is minus an errno: then the kernel's failure of {@code what}. */
    private static long check(long r, String what) {
        if (r < 0) {
            throw failure((int) -r, what);
        }
        return r;
    }

    private static BpfException failure(int errno, String what) {
        Errno e = Errno.byCode(errno);
        return e == null ? new BpfException(Errno.EINVAL, what + " failed with errno " + errno)
                : new BpfException(e, what + " failed in the kernel: " + e.description());
    }
}
