package org.bpfsdt.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.HelperTable;
import org.bpfsdt.core.interp.Interpreter;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.oracle.KernelBpf;
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
 * The x86_64 JIT side by side with the interpreter and, where the kernel can run the same
 * program, the kernel's JIT through {@code BPF_PROG_TEST_RUN}: nanoseconds per run of the JIT's
 * batch entry (the loop in native code, as the kernel's test run), of one call from Java
 * ({@code JitImage.entry()}), and of the interpreter. Programs: {@link BenchPrograms#FNV} and
 * {@link BenchPrograms#PRIMES} (with r2 set in the program, so the entry takes only r1), and
 * the shared yardstick {@code compute_primes.o}, which ignores its context and so runs
 * unverified unchanged (the other yardsticks need the verifier's context rewrites).
 * Run with {@code bench/run-jit}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class JitBench {
    /** Runs per batch call. */
    static final int BATCH = 100;
    /** Runs per kernel test run: enough to amortise the syscall and the test run's set-up. */
    static final int KERNEL_REPEAT = 10_000;

    @Param({"FNV", "PRIMES", "compute_primes"})
    public String program;

    private Arena arena;
    private MemorySegment mem;
    private JitImage image;
    private MethodHandle single;
    private MethodHandle batch;
    private Interpreter interpreter;
    private ExecState state;
    private DecodedProgram decoded;
    private int kernelFd = -1;
    private byte[] packet;

    /** The instructions and memory of a program of this benchmark. */
    record Workload(List<Insn> insns, byte[] input) {
        static Workload of(String name) {
            if (name.equals("compute_primes")) {
                Path o = Path.of(System.getProperty("bpfsdt.shared", "../../shared"), "bench", "progs", "compute_primes.o");
                return new Workload(ObjectFile.open(o).program("compute_primes").instructions(), new byte[64]);
            }
            BenchPrograms p = BenchPrograms.valueOf(name);
            byte[] input = p.input();
            List<Insn> insns = new ArrayList<>();
            insns.add(Insn.mov64Imm(2, input.length)); // r2 = length, so the one-argument entry runs it
            insns.addAll(p.insns);
            return new Workload(insns, input);
        }
    }

    static JitCompiler x86() {
        return ServiceLoader.load(JitCompiler.class).stream().map(ServiceLoader.Provider::get)
                .filter(j -> j.architecture().equals("x86_64") && j.runsOnHost()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no x86_64 JIT that runs on this host"));
    }

    @Setup(Level.Trial)
    public void setUp() {
        Workload w = Workload.of(program);
        arena = Arena.ofConfined();
        mem = arena.allocate(Math.max(1, w.input().length), 16);
        MemorySegment.copy(w.input(), 0, mem, ValueLayout.JAVA_BYTE, 0, w.input().length);
        image = x86().compile(new JitRequest(program, ProgramType.XDP, w.insns(), List.of(), List.of(), id -> 0, List.of(), null));
        single = image.entry();
        batch = image.batchEntry();
        interpreter = new Interpreter(null);
        state = interpreter.newState(0);
        decoded = DecodedProgram.decode(w.insns(), new HelperTable(), false, 0, program);
        if (program.equals("compute_primes") && KernelBpf.availability().available()) {
            kernelFd = KernelBpf.progLoad(new KernelBpf.ProgLoad(ProgramType.XDP, w.insns(), "Dual BSD/GPL", 0, 0));
            packet = w.input();
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
        return (long) batch.invokeExact(mem.address(), (long) BATCH);
    }

    @Benchmark
    public long jitSingle() throws Throwable {
        return (long) single.invokeExact(mem.address());
    }

    @Benchmark
    public long interpreter() {
        return interpreter.run(state, decoded, mem.address(), 0);
    }

    /** The kernel's JIT through {@code BPF_PROG_TEST_RUN} (compute_primes only; elsewhere no work). */
    @Benchmark
    @OperationsPerInvocation(KERNEL_REPEAT)
    public long kernel() {
        return kernelFd < 0 ? 0 : KernelBpf.testRun(kernelFd, packet, null, KERNEL_REPEAT, 0).retval();
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(JitBench.class.getSimpleName())
                .build()).run();
        System.out.println();
        System.out.printf("%-16s %-12s %12s%n", "program", "mode", "ns/run");
        for (RunResult r : results) {
            String mode = r.getPrimaryResult().getLabel();
            System.out.printf("%-16s %-12s %12.1f%n", r.getParams().getParam("program"), mode, r.getPrimaryResult().getScore());
        }
        if (KernelBpf.availability().available()) {
            // the kernel's own figure for the same runs, without the syscall
            Workload w = Workload.of("compute_primes");
            int fd = KernelBpf.progLoad(new KernelBpf.ProgLoad(ProgramType.XDP, w.insns(), "Dual BSD/GPL", 0, 0));
            try {
                KernelBpf.TestRun t = KernelBpf.testRun(fd, w.input(), null, 100_000, 0);
                System.out.printf("%-16s %-12s %12d   (BPF_PROG_TEST_RUN duration, retval %d)%n", "compute_primes", "kernel-self", t.durationNs(), t.retval());
            } finally {
                KernelBpf.close(fd);
            }
        }
    }
}
