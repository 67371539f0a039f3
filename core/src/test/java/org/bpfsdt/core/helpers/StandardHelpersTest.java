package org.bpfsdt.core.helpers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.core.exec.Clocks;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.core.runtime.TestServices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The standard helpers called by loaded programs, on the interpreter and through the native
 * upcall stubs (the JIT double calls helpers as compiled code does). Programs are written against
 * the native contexts, since the test verifier does not rewrite context accesses.
 */
class StandardHelpersTest {
    private final CoreRuntime runtime = new CoreRuntime();
    private final TestServices.ArrayMaps arrays = new TestServices.ArrayMaps();
    private final TestServices.FakeJit jit = new TestServices.FakeJit("x86_64", true, false);

    StandardHelpersTest() {
        runtime.addMapProvider(arrays, Map.of());
        runtime.addVerifier(new TestServices.AcceptAll(), Map.of());
    }

    @AfterEach
    void close() {
        runtime.close();
        assertEquals(0, runtime.heap().liveAllocations(), "native memory left after close");
    }

    /** The program {@code asm} with {@code r6} = the map pointer of {@code map} loaded first. */
    private BpfProgram load(ProgramType type, String engine, BpfMap map, String asm) {
        List<Insn> insns = new ArrayList<>();
        if (map != null) {
            insns.addAll(List.of(Insn.lddw(6, Opcodes.PSEUDO_MAP_IDX, 0)));
        }
        insns.addAll(Assembler.assemble(asm));
        ProgSpec.Builder b = ProgSpec.builder(type, insns).name("t").license("GPL").engine(engine);
        if (map != null) {
            b.maps(List.of(map));
        }
        return runtime.progLoad(b.build());
    }

    private long runTracing(BpfProgram p, long... args) {
        ByteBuffer ctx = ByteBuffer.allocate(8 * Math.max(1, args.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (long a : args) {
            ctx.putLong(a);
        }
        return p.testRun(TestRunSpec.ctx(ctx.array())).retval();
    }

    private static byte[] key(int k) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(k).array();
    }

    private static long u64(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(off);
    }

    @Test
    void mapHelpersReachTheMapThroughItsHeader() {
        runtime.addJit(jit, Map.of());
        for (String engine : List.of("interpreter", "x86_64")) {
            try (BpfMap map = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 4).withName("values"));
                 BpfProgram p = load(ProgramType.TRACING, engine, map, """
                         ldxdw %r7, [%r1+0]
                         # value[2] = arg via bpf_map_update_elem
                         stw [%r10-4], 2
                         stxdw [%r10-16], %r7
                         mov %r1, %r6
                         mov %r2, %r10
                         add %r2, -4
                         mov %r3, %r10
                         add %r3, -16
                         mov %r4, 0
                         call 2
                         jne %r0, 0, fail
                         # *lookup(2) += 1
                         mov %r1, %r6
                         mov %r2, %r10
                         add %r2, -4
                         call 1
                         jeq %r0, 0, fail
                         ldxdw %r1, [%r0+0]
                         add %r1, 1
                         stxdw [%r0+0], %r1
                         # an array element cannot be deleted: the backend's errno comes back
                         mov %r1, %r6
                         mov %r2, %r10
                         add %r2, -4
                         call 3
                         exit
                         fail:
                         mov %r0, 99
                         exit
                         """)) {
                assertEquals(engine, p.engine());
                assertEquals(-Errno.EINVAL.code(), (int) runTracing(p, 41));
                assertEquals(42, u64(map.lookup(key(2)).orElseThrow(), 0));
            }
        }
    }

    @Test
    void clocksAreTheKernelsMonotonicAndBootClocks() {
        try (BpfMap map = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 24, 1));
             BpfProgram p = load(ProgramType.TRACING, null, map, """
                     mov %r1, %r6
                     stw [%r10-4], 0
                     mov %r2, %r10
                     add %r2, -4
                     call 1
                     mov %r7, %r0
                     call 5
                     stxdw [%r7+0], %r0
                     call 125
                     stxdw [%r7+8], %r0
                     call 160
                     stxdw [%r7+16], %r0
                     mov %r0, 0
                     exit
                     """)) {
            long before = System.nanoTime();
            runTracing(p);
            long after = System.nanoTime();
            byte[] v = map.lookup(key(0)).orElseThrow();
            long mono = u64(v, 0);
            long boot = u64(v, 8);
            long coarse = u64(v, 16);
            // the JVM's nanoTime reads CLOCK_MONOTONIC on Linux
            assertTrue(mono >= before && mono <= after, before + " <= " + mono + " <= " + after);
            assertTrue(boot >= mono, "boot time includes suspend: " + boot + " >= " + mono);
            // the coarse clock is the monotonic time of the last tick (HZ >= 100): at most 10 ms behind, never ahead, however
            // long the thread was preempted between the calls
            assertTrue(coarse >= before - 20_000_000 && coarse <= after, before + " - 20 ms <= " + coarse + " <= " + after);
        }
    }

    /** Writes {@code s} (NUL added) on the stack below r10 as 8-byte stores; returns the program text and its size. */
    private static String stackString(String s) {
        byte[] b = (s + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int size = (b.length + 7) & ~7;
        byte[] padded = java.util.Arrays.copyOf(b, size);
        StringBuilder asm = new StringBuilder();
        for (int off = 0; off < size; off += 8) {
            asm.append("lddw %r1, 0x").append(Long.toHexString(ByteBuffer.wrap(padded, off, 8).order(ByteOrder.LITTLE_ENDIAN).getLong())).append('\n');
            asm.append("stxdw [%r10-").append(size - off).append("], %r1\n");
        }
        asm.append("mov %r1, %r10\nadd %r1, -").append(size).append('\n');
        asm.append("mov %r2, ").append(b.length).append('\n');
        return asm.toString();
    }

    @Test
    void tracePrintkWritesALineWithProgramCpuAndTime() throws Exception {
        try (BpfProgram p = load(ProgramType.TRACING, null, null, "ldxdw %r6, [%r1+0]\n" + stackString("helpers len=%d\n")
                + "mov %r3, %r6\ncall 6\nexit")) {
            runtime.tracePipe().drain();
            long before = Clocks.nanos(Clocks.BOOTTIME, scratch());
            assertEquals("helpers len=64\n".length(), runTracing(p, 64));
            TracePipe.Line line = runtime.tracePipe().poll(java.time.Duration.ofSeconds(1));
            assertEquals("helpers len=64", line.text());
            assertEquals(p.id(), line.programId());
            assertEquals(runtime.state().cpu(), line.cpu());
            assertTrue(line.timestampNs() >= before, "time since boot");
        }
    }

    @Test
    void tracePrintkReturnsTheKernelsErrorForABadFormatAndPrintsNothing() {
        try (BpfProgram p = load(ProgramType.TRACING, null, null, stackString("%d %d %d %d") + "call 6\nexit")) {
            runtime.tracePipe().drain();
            assertEquals(-Errno.EINVAL.code(), (int) runTracing(p));
            assertTrue(runtime.tracePipe().drain().isEmpty());
        }
    }

    @Test
    void tracePrintkReadsStringsWithoutFaultingOnBadPointers() {
        try (BpfProgram p = load(ProgramType.TRACING, null, null, "ldxdw %r6, [%r1+0]\n" + stackString("[%s]") + "mov %r3, %r6\ncall 6\nexit")) {
            runtime.tracePipe().drain();
            // an address nothing is mapped at (the kernel's nofault copy prints an empty string)
            assertEquals(2, runTracing(p, 0x10));
            assertEquals("[]", runtime.tracePipe().drain().getFirst().text());
        }
    }

    private long scratch() {
        return runtime.state().scratch();
    }

    @Test
    void randomNumbersAre32BitsAndCpuIsTheThreadsCpu() {
        try (BpfProgram p = load(ProgramType.TRACING, null, null, """
                call 7
                mov %r6, %r0
                call 7
                rsh %r0, 32
                jne %r0, 0, wide
                call 7
                xor %r0, %r6
                exit
                wide:
                mov %r0, 0
                exit
                """);
             BpfProgram cpu = load(ProgramType.TRACING, null, null, "call 8\nexit")) {
            assertNotEquals(0, runTracing(p), "draws are 32 bits and two of them differ");
            assertEquals(runtime.state().cpu(), runTracing(cpu));
            assertTrue(runTracing(cpu) < Runtime.getRuntime().availableProcessors());
        }
    }

    /**
     * {@code bpf_loop(nr, cb, &ctx, flags)} with nr = argument 0; the callback adds its index to
     * {@code ctx.sum} and stops at the index in argument 1. Returns {@code calls | sum << 16}.
     */
    private BpfProgram loopProgram(long flags) {
        List<Insn> insns = new ArrayList<>(Assembler.assemble("""
                ldxdw %r6, [%r1+0]
                ldxdw %r7, [%r1+8]
                stdw [%r10-16], 0
                stxdw [%r10-8], %r7
                mov %r1, %r6
                """));
        int lddw = insns.size();
        insns.addAll(List.of(Insn.lddw(2, Opcodes.PSEUDO_FUNC, 0)));
        insns.addAll(Assembler.assemble("mov %r3, %r10\nadd %r3, -16\nmov %r4, " + flags + "\ncall 181\n"
                + "ldxdw %r1, [%r10-16]\nlsh %r1, 16\nor %r0, %r1\nexit"));
        int callback = insns.size();
        insns.addAll(Assembler.assemble("""
                ldxdw %r3, [%r2+0]
                add %r3, %r1
                stxdw [%r2+0], %r3
                ldxdw %r4, [%r2+8]
                mov %r0, 0
                jne %r1, %r4, +1
                mov %r0, 1
                exit
                """));
        Insn[] ld = Insn.lddw(2, Opcodes.PSEUDO_FUNC, callback - lddw - 1);
        insns.set(lddw, ld[0]);
        insns.set(lddw + 1, ld[1]);
        return runtime.progLoad(ProgSpec.builder(ProgramType.TRACING, insns).name("loop").license("GPL").build());
    }

    @Test
    void loopCallsTheCallbackUntilItStops() {
        try (BpfProgram p = loopProgram(0)) {
            assertEquals(10L | 45L << 16, runTracing(p, 10, 99), "ten calls summing 0..9");
            assertEquals(4L | 6L << 16, runTracing(p, 10, 3), "the callback's 1 at index 3 stops the loop after four calls");
            assertEquals(0, runTracing(p, 0, 99), "no iterations");
            assertEquals(-Errno.E2BIG.code(), (int) runTracing(p, Opcodes.MAX_LOOPS + 1, 0), "at most BPF_MAX_LOOPS");
        }
        try (BpfProgram p = loopProgram(1)) {
            assertEquals(-Errno.EINVAL.code(), (int) runTracing(p, 10, 99), "flags must be 0");
        }
    }

    @Test
    void probeReadsCopyWhatIsThereAndFailCleanlyElsewhere() {
        // copies 8 bytes from the address in argument 0 to the stack; returns the result, or the bytes when it is 0
        String read = """
                ldxdw %r3, [%r1+0]
                mov %r1, %r10
                add %r1, -8
                mov %r2, 8
                call 113
                jne %r0, 0, exit
                ldxdw %r0, [%r10-8]
                exit
                """;
        try (BpfProgram p = load(ProgramType.TRACING, null, null, read); var arena = java.lang.foreign.Arena.ofConfined()) {
            var src = arena.allocate(8, 8);
            src.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0x0102030405060708L);
            assertEquals(0x05060708L, runTracing(p, src.address()), "the low 32 bits of what was read (test runs report a u32)");
            assertEquals(-Errno.EFAULT.code(), (int) runTracing(p, 0x10), "nothing is mapped there: EFAULT, not a crash");
        }
        // bpf_probe_read_kernel_str: the length with the NUL; bpf_strncmp against the string read
        String str = stackString("hello") + """
                mov %r6, %r1
                mov %r1, %r10
                add %r1, -32
                mov %r2, 16
                mov %r3, %r6
                call 115
                mov %r7, %r0
                mov %r1, %r10
                add %r1, -32
                mov %r2, 6
                mov %r3, %r6
                call 182
                lsh %r0, 8
                or %r0, %r7
                exit
                """;
        try (BpfProgram p = load(ProgramType.TRACING, null, null, str)) {
            assertEquals(6, runTracing(p), "\"hello\" and its NUL, and strncmp finds them equal");
        }
    }

    @Test
    void taskHelpersDescribeTheCallingThread() throws Exception {
        try (BpfProgram pid = load(ProgramType.TRACING, null, null, "call 14\nrsh %r0, 32\nexit");
             BpfProgram uid = load(ProgramType.TRACING, null, null, "call 15\nexit");
             BpfProgram comm = load(ProgramType.TRACING, null, null, """
                     mov %r1, %r10
                     add %r1, -16
                     mov %r2, 16
                     call 16
                     ldxdw %r0, [%r10-16]
                     exit
                     """)) {
            assertEquals(ProcessHandle.current().pid(), runTracing(pid), "tgid: the process");
            assertEquals(org.bpfsdt.core.exec.Host.uid(), runTracing(uid), "the user id in the low half");
            long[] name = new long[1];
            Thread t = Thread.ofPlatform().name("bpfcomm").start(() -> name[0] = runTracing(comm));
            t.join();
            // test runs report the low 32 bits: "bpfc"
            assertEquals(ByteBuffer.wrap("bpfc".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).order(ByteOrder.LITTLE_ENDIAN).getInt(),
                    (int) name[0], "the thread's name, as the kernel keeps it for the task");
        }
    }

    @Test
    void aTailCallIsNoFunctionToCallByNumber() {
        BpfException e = assertThrows(BpfException.class, () -> runtime.runUnverified(
                Assembler.assemble("mov %r1, 12\ncall %r1\nexit"), new byte[0], RawRunOptions.interpreter()));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void aProgramCallingAHelperTheRuntimeLacksIsRefusedAtLoadWithItsNameAndNumber() {
        long before = runtime.heap().liveAllocations();
        BpfException unknown = assertThrows(BpfException.class, () -> load(ProgramType.XDP, null, null, "call 999\nexit"));
        assertEquals(Errno.EINVAL, unknown.errno());
        assertTrue(unknown.reason().contains("unknown helper #999"), unknown.reason());
        BpfException known = assertThrows(BpfException.class, () -> load(ProgramType.XDP, null, null, "mov %r0, 0\ncall 67\nexit"));
        assertTrue(known.reason().contains("bpf_get_stack (#67)") && known.reason().contains("insn 1"), known.reason());
        assertEquals(before, runtime.heap().liveAllocations());
        assertTrue(runtime.programs().isEmpty());
    }

    /**
     * bpf_spin_lock excludes programs on other threads: four threads each add 1 to a counter with
     * a plain load and store under the lock, 5,000 times; no increment is lost.
     */
    @Test
    void spinLocksExcludeRunsOnOtherThreads() throws Exception {
        runtime.addJit(jit, Map.of());
        try (BpfMap map = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 16, 1));
             BpfProgram interpreted = load(ProgramType.TRACING, "interpreter", map, LOCKED_INCREMENT);
             BpfProgram compiled = load(ProgramType.TRACING, "x86_64", map, LOCKED_INCREMENT)) {
            int threads = 4;
            int runs = 5_000;
            java.util.List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                BpfProgram p = t % 2 == 0 ? interpreted : compiled;
                workers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < runs; i++) {
                        p.testRun(TestRunSpec.ctx(new byte[8]));
                    }
                }));
            }
            for (Thread w : workers) {
                w.join();
            }
            byte[] v = map.lookup(key(0)).orElseThrow();
            assertEquals(threads * runs, u64(v, 8), "every increment under the lock survived");
        }
    }

    /** value[0] is a struct bpf_spin_lock, value[8] a counter incremented with a plain load and store while the lock is held. */
    private static final String LOCKED_INCREMENT = """
            stw [%r10-4], 0
            mov %r1, %r6
            mov %r2, %r10
            add %r2, -4
            call 1
            jeq %r0, 0, out
            mov %r7, %r0
            mov %r1, %r7
            call 93
            ldxdw %r1, [%r7+8]
            add %r1, 1
            stxdw [%r7+8], %r1
            mov %r1, %r7
            call 94
            out:
            mov %r0, 0
            exit
            """;

    @Test
    void helpersCalledFromNativeCodeAllocateNothing() {
        runtime.addJit(jit, Map.of());
        try (BpfMap map = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1));
             BpfProgram p = load(ProgramType.TRACING, null, map, """
                     stw [%r10-4], 0
                     mov %r1, %r6
                     mov %r2, %r10
                     add %r2, -4
                     call 1
                     call 5
                     call 7
                     call 8
                     exit
                     """)) {
            assertEquals("x86_64", p.engine());
            AtomicLong sink = new AtomicLong();
            byte[] ctx = new byte[8];
            for (int i = 0; i < 2_000; i++) {
                sink.addAndGet(p.testRun(TestRunSpec.ctx(ctx)).retval());
            }
            // one test run with many repetitions: the per-run cost is the upcalls
            long before = allocatedBytes();
            p.testRun(TestRunSpec.ctx(ctx).repeat(100_000));
            long allocated = allocatedBytes() - before;
            assertTrue(allocated < 256 * 1024, allocated + " bytes allocated by 100,000 runs calling four helpers natively");
        }
    }

    private static long allocatedBytes() {
        return org.bpfsdt.core.interp.Allocations.threadBytes();
    }
}
