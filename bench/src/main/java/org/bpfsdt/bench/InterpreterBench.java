package org.bpfsdt.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.HelperTable;
import org.bpfsdt.core.interp.Interpreter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
 * The interpreter on loop-heavy programs ({@link BenchPrograms}): time per run, and, printed at
 * the end, nanoseconds per executed instruction (the instruction count comes from one
 * instrumented run, {@link InstructionCount}). Run with {@code bench/run}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class InterpreterBench {
    @Param({"FNV", "PRIMES", "SIEVE"})
    public String program;

    private Interpreter interpreter;
    private ExecState state;
    private DecodedProgram decoded;
    private Arena arena;
    private MemorySegment mem;
    private byte[] input;

    @Setup(Level.Trial)
    public void setUp() {
        BenchPrograms p = BenchPrograms.valueOf(program);
        interpreter = new Interpreter(null);
        state = interpreter.newState(0);
        decoded = DecodedProgram.decode(p.insns, new HelperTable(), false, 0, program);
        arena = Arena.ofConfined();
        input = p.input();
        mem = arena.allocate(Math.max(1, input.length), 16);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public long run() {
        if (input.length > 0) {
            // fresh input every run (8 KiB at most: well under 1% of a run)
            MemorySegment.copy(input, 0, mem, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, input.length);
        }
        return interpreter.run(state, decoded, mem.address(), input.length);
    }

    /** Instructions one run of {@code p} executes. */
    static long executed(BenchPrograms p) {
        Interpreter in = new Interpreter(null);
        DecodedProgram counted = DecodedProgram.decode(InstructionCount.instrument(p.insns), new HelperTable(), false, 0, "count");
        byte[] input = p.input();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Math.max(1, input.length), 16);
            MemorySegment.copy(input, 0, m, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, input.length);
            return in.run(in.newState(0), counted, m.address(), input.length);
        }
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(InterpreterBench.class.getSimpleName())
                .build()).run();
        System.out.println();
        System.out.printf("%-8s %14s %14s %10s%n", "program", "insns/run", "ns/run", "ns/insn");
        for (RunResult r : results) {
            String name = r.getParams().getParam("program");
            long insns = executed(BenchPrograms.valueOf(name));
            double ns = r.getPrimaryResult().getScore();
            System.out.printf("%-8s %14d %14.1f %10.3f%n", name, insns, ns, ns / insns);
        }
    }
}
