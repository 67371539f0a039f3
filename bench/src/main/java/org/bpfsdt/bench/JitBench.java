package org.bpfsdt.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.HelperProtos;
import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.HelperTable;
import org.bpfsdt.core.interp.Interpreter;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.oracle.KernelBpf;
import org.bpfsdt.verifier.BpfVerifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The yardstick programs of {@code shared/bench/progs} side by side: nanoseconds per run on the
 * x86_64 JIT's batch entry (runs looped in native code, as the kernel's test run loops), on one
 * call from Java ({@code JitImage.entry()}), on the interpreter, and on the kernel's JIT through
 * {@code BPF_PROG_TEST_RUN} with the same packet. Each program is verified by the verifier and
 * compiled from its rewritten form, over a native XDP context; the kernel loads the original.
 * The yardsticks with maps ({@code array_counter}, {@code hash_flow}) join once the runtime runs
 * XDP test runs with map helpers. Run with {@code bench/run-jit}; at the end the table is printed
 * with the kernel's own per-run figure ({@code BPF_PROG_TEST_RUN}'s duration).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class JitBench {
    /** Runs per batch call. */
    static final int BATCH = 1000;
    /** Runs per kernel test run: enough to amortise the syscall and the test run's set-up. */
    static final int KERNEL_REPEAT = 10_000;

    @Param({"xdp_parse", "xdp_fnv", "compute_primes", "sdt_like", "sdt_like_noprobe"})
    public String program;

    private Yardstick yardstick;
    private JitImage image;
    private MethodHandle single;
    private MethodHandle batch;
    private long ctx;
    private Interpreter interpreter;
    private ExecState state;
    private DecodedProgram decoded;
    private int kernelFd = -1;

    /** A yardstick: object, program, input packet. */
    record Yardstick(String object, String program, String input) {
        static final Map<String, Yardstick> ALL = Map.of(
                "xdp_parse", new Yardstick("xdp_parse.o", "xdp_parse", "pkt_tcp4.bin"),
                "xdp_fnv", new Yardstick("xdp_fnv.o", "xdp_fnv", "pkt_fnv.bin"),
                "compute_primes", new Yardstick("compute_primes.o", "compute_primes", "pkt_tcp4.bin"),
                "sdt_like", new Yardstick("sdt_like.o", "sdt_like", "pkt_tcp4.bin"),
                "sdt_like_noprobe", new Yardstick("sdt_like.o", "sdt_like_noprobe", "pkt_tcp4.bin"));

        static Path dir() {
            return Path.of(System.getProperty("bpfsdt.shared", "../../shared")).resolve("bench");
        }

        List<Insn> insns() {
            return ObjectFile.open(dir().resolve("progs").resolve(object)).program(program).instructions();
        }

        byte[] packet() {
            try {
                return Files.readAllBytes(dir().resolve("inputs").resolve(input));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        VerifierResult verified() {
            return new BpfVerifier().verify(new VerifierRequest(ProgramType.XDP, null, insns(), List.of(), null, List.of(), List.of(),
                    HelperProtos.forProgramType(ProgramType.XDP), ContextLayouts.forType(ProgramType.XDP, 6), null, 0, List.of(), true, 0));
        }

        /** A native {@code xdp_buff} over a copy of the packet with 256 bytes of headroom. */
        long context(Arena arena) {
            byte[] packet = packet();
            MemorySegment frame = arena.allocate(256 + packet.length, 64);
            MemorySegment.copy(packet, 0, frame, ValueLayout.JAVA_BYTE, 256, packet.length);
            long data = frame.address() + 256;
            MemorySegment c = arena.allocate(ContextLayouts.XDP_NATIVE_SIZE, 8);
            c.set(ValueLayout.JAVA_LONG, ContextLayouts.XDP_DATA, data);
            c.set(ValueLayout.JAVA_LONG, ContextLayouts.XDP_DATA_END, data + packet.length);
            c.set(ValueLayout.JAVA_LONG, ContextLayouts.XDP_DATA_META, data);
            c.set(ValueLayout.JAVA_LONG, ContextLayouts.XDP_DATA_HARD_START, frame.address());
            c.set(ValueLayout.JAVA_LONG, ContextLayouts.XDP_DATA_HARD_END, frame.address() + frame.byteSize());
            c.set(ValueLayout.JAVA_INT, ContextLayouts.XDP_FRAME_SZ, (int) frame.byteSize());
            return c.address();
        }

        int kernelLoad() {
            return KernelBpf.progLoad(new KernelBpf.ProgLoad(ProgramType.XDP, insns(), "Dual BSD/GPL", 0, 0));
        }
    }

    static JitCompiler x86() {
        return ServiceLoader.load(JitCompiler.class).stream().map(ServiceLoader.Provider::get)
                .filter(j -> j.architecture().equals("x86_64") && j.runsOnHost()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no x86_64 JIT that runs on this host"));
    }

    private Arena arena;

    @Setup(Level.Trial)
    public void setUp() {
        yardstick = Yardstick.ALL.get(program);
        arena = Arena.ofConfined();
        ctx = yardstick.context(arena);
        VerifierResult v = yardstick.verified();
        image = x86().compile(new JitRequest(program, ProgramType.XDP, v.insns(), v.aux(), v.subprogs(), id -> 0, List.of(), null));
        single = image.entry();
        batch = image.batchEntry();
        interpreter = new Interpreter(null);
        state = interpreter.newState(0);
        decoded = DecodedProgram.decode(v.insns(), new HelperTable(), false, 0, program);
        if (KernelBpf.availability().available()) {
            kernelFd = yardstick.kernelLoad();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        image.close();
        arena.close();
        if (kernelFd >= 0) {
            KernelBpf.close(kernelFd);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long jitBatch() throws Throwable {
        return (long) batch.invokeExact(ctx, (long) BATCH);
    }

    @Benchmark
    public long jitSingle() throws Throwable {
        return (long) single.invokeExact(ctx);
    }

    @Benchmark
    public long interpreter() {
        return interpreter.run(state, decoded, ctx, 0);
    }

    /** The kernel's JIT through {@code BPF_PROG_TEST_RUN}, syscall included (no work where the kernel is not available). */
    @Benchmark
    @OperationsPerInvocation(KERNEL_REPEAT)
    public long kernel() {
        return kernelFd < 0 ? 0 : KernelBpf.testRun(kernelFd, yardstick.packet(), null, KERNEL_REPEAT, 0).retval();
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(JitBench.class.getSimpleName())
                .build()).run();
        Map<String, Map<String, Double>> table = new TreeMap<>();
        for (RunResult r : results) {
            table.computeIfAbsent(r.getParams().getParam("program"), k -> new TreeMap<>())
                    .put(r.getPrimaryResult().getLabel(), r.getPrimaryResult().getScore());
        }
        boolean kernel = KernelBpf.availability().available();
        System.out.println();
        System.out.printf("%-18s %12s %12s %12s %12s %12s%n", "ns/run", "jit batch", "jit single", "interpreter", "kernel", "kernel self");
        for (var e : table.entrySet()) {
            String self = "-";
            if (kernel) {
                Yardstick y = Yardstick.ALL.get(e.getKey());
                int fd = y.kernelLoad();
                try {
                    self = Integer.toString(KernelBpf.testRun(fd, y.packet(), null, 1_000_000, 0).durationNs());
                } finally {
                    KernelBpf.close(fd);
                }
            }
            Map<String, Double> m = e.getValue();
            System.out.printf("%-18s %12.1f %12.1f %12.1f %12.1f %12s%n", e.getKey(), m.getOrDefault("jitBatch", Double.NaN),
                    m.getOrDefault("jitSingle", Double.NaN), m.getOrDefault("interpreter", Double.NaN),
                    kernel ? m.getOrDefault("kernel", Double.NaN) : Double.NaN, self);
        }
    }
}
