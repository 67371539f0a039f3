package org.bpfsdt.bench;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.core.context.ContextBuilder;
import org.bpfsdt.core.context.XdpContexts;
import org.bpfsdt.core.engine.ProgramEngine;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.runtime.CoreRuntime;
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

/**
 * Per-run time of each yardstick program, loaded from its object with the real verifier and
 * maps onto the named engine. {@link #batch}: one {@code testRun} of {@value #REPEAT} runs per
 * invocation (the context is built once per batch and the runs loop inside native code on a JIT,
 * as the kernel's test run loops). {@link #single}: one call from Java into the program on a
 * context prepared once; {@link #singleInRun} adds the grace-period announcement of a run. The kernel's baseline is
 * not a JMH benchmark: a {@code BPF_PROG_TEST_RUN} with a repeat count switches the kernel's XDP
 * dispatcher, which costs milliseconds per call, so {@link KernelBaseline} reads the kernel's own
 * per-run figure for batches of the same size.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ProgramRunBench {
    static final int REPEAT = 1000;

    @Param({"XDP_PARSE", "XDP_FNV", "COMPUTE_PRIMES", "ARRAY_COUNTER", "HASH_FLOW", "SDT_LIKE", "SDT_LIKE_NOPROBE"})
    public String program;

    @Param({"interpreter"})
    public String engine;

    private Yardstick.Loaded loaded;
    private CoreRuntime runtime;
    private BpfProgram prog;
    private TestRunSpec spec;
    private Arena arena;
    private ProgramEngine code;
    private ExecState state;
    private long ctx;

    @Setup(Level.Trial)
    public void setUp() {
        Yardstick y = Yardstick.valueOf(program);
        loaded = y.load(engine);
        runtime = loaded.runtime();
        prog = loaded.program();
        code = loaded.code();
        byte[] input = y.inputBytes();
        spec = TestRunSpec.data(input).repeat(REPEAT);
        arena = Arena.ofConfined();
        ContextBuilder xdp = new XdpContexts();
        ctx = xdp.prepare(prog.type(), TestRunSpec.data(input), arena).address();
        state = runtime.state();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        loaded.close();
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public long batch() {
        return prog.testRun(spec).retval();
    }

    /**
     * One call into the program's engine from Java: the runtime's bookkeeping of a native run and
     * the FFM downcall. The yardsticks do the same work on every call on the same context.
     */
    @Benchmark
    public long single() {
        return code.run(state, ctx);
    }

    /** {@link #single} inside a grace period, as every run of the runtime is (a volatile store announces it). */
    @Benchmark
    public long singleInRun() {
        runtime.grace().enter(state);
        try {
            return code.run(state, ctx);
        } finally {
            runtime.grace().exit(state);
        }
    }
}
