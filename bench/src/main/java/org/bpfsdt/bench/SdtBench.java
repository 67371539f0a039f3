package org.bpfsdt.bench;

import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfLink;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
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
 * What an SDT probe costs, per run, side by side in one run: the same XDP program with and
 * without a probe ({@code testprogs/sdt_overhead.c}: {@code with_probe}, {@code without_probe}),
 * the probe detached and with one observer attached that stores its two arguments
 * ({@code sdt_overhead_obs.c}), next to a plain BPF-to-BPF call on the same engine
 * ({@code ../shared/bench/progs/sdt_like.o}: {@code sdt_like} against {@code sdt_like_noprobe}).
 * Each invocation is one {@code testRun} of {@value #REPEAT} runs on the 64-byte packet, so the
 * test run's own setup is under 0.05 ns a run.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SdtBench {
    static final int REPEAT = 100_000;

    /** The program measured, and the probe's state. */
    public enum Case {
        /** {@code without_probe}: the program compiled without the probe. */
        WITHOUT_PROBE("sdt_overhead.o", "without_probe", false),
        /** {@code with_probe}, nothing attached: the probe is a NOP. */
        PROBE_DETACHED("sdt_overhead.o", "with_probe", false),
        /** {@code with_probe} with {@code obs_store} attached: trampoline and observer once per run. */
        PROBE_ATTACHED("sdt_overhead.o", "with_probe", true),
        /** {@code sdt_like_noprobe}: the yardstick without its call. */
        NO_CALL("sdt_like.o", "sdt_like_noprobe", false),
        /** {@code sdt_like}: one BPF-to-BPF call of an empty subprogram per run. */
        CALL("sdt_like.o", "sdt_like", false);

        final String object;
        final String program;
        final boolean observed;

        Case(String object, String program, boolean observed) {
            this.object = object;
            this.program = program;
            this.observed = observed;
        }

        byte[] objectBytes() {
            return object.equals(Yardstick.SDT_LIKE.object) ? Yardstick.SDT_LIKE.objectBytes() : Yardstick.testprog(object);
        }
    }

    @Param
    public Case probe;

    @Param({"x86_64"})
    public String engine;

    private CoreRuntime runtime;
    private LoadedObject target;
    private LoadedObject observer;
    private BpfLink link;
    private BpfProgram prog;
    private TestRunSpec spec;

    @Setup(Level.Trial)
    public void setUp() {
        runtime = Yardstick.runtime();
        target = Yardstick.load(runtime, probe.objectBytes(), probe.object, engine);
        prog = target.program(probe.program);
        if (probe.observed) {
            ObjectFile obs = ObjectFile.open(Yardstick.testprog("sdt_overhead_obs.o"), "sdt_overhead_obs.o");
            obs.program("obs_store").setEngine(engine).setAttachTarget(prog, null);
            observer = obs.load(runtime);
            link = runtime.linkCreate(LinkSpec.of(observer.program("obs_store"), AttachType.TRACE_SDT));
        }
        spec = TestRunSpec.data(Yardstick.SDT_LIKE.inputBytes()).repeat(REPEAT);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (link != null) {
            link.close();
            observer.close();
        }
        target.close();
        runtime.close();
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public long run() {
        return prog.testRun(spec).retval();
    }
}
