package org.bpfsdt.bench;

import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectProgram;
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
 * Per-run time of each yardstick program: one {@code testRun} of {@value #REPEAT} runs per
 * invocation (the context is built once per batch, as in the kernel), on the named engine, loaded
 * from its object with the real verifier and maps. The kernel's baseline is not a JMH benchmark:
 * a {@code BPF_PROG_TEST_RUN} with a repeat count switches the kernel's XDP dispatcher, which
 * costs milliseconds per call, so {@link KernelBaseline} reads the kernel's own per-run figure.
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

    private CoreRuntime runtime;
    private LoadedObject loaded;
    private BpfProgram prog;
    private TestRunSpec spec;
    private byte[] input;
    private String name;

    @Setup(Level.Trial)
    public void setUp() {
        Yardstick y = Yardstick.valueOf(program);
        name = y.program;
        input = y.inputBytes();
        runtime = Yardstick.runtime();
        ObjectFile obj = ObjectFile.open(y.objectBytes(), y.object);
        for (ObjectProgram p : obj.programs()) {
            p.setEngine(engine);
        }
        loaded = obj.load(runtime);
        prog = loaded.program(name);
        spec = TestRunSpec.data(input).repeat(REPEAT);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loaded.close();
        runtime.close();
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public long run() {
        return prog.testRun(spec).retval();
    }
}
