package org.bpfsdt.bench;

import java.util.concurrent.TimeUnit;

import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.oracle.KernelObject;
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

/**
 * Opening (parsing and validating) and loading (maps created, programs linked, verified and
 * prepared for their engine, then everything closed again) each yardstick object, and, as the
 * baseline, the kernel loading the same linked object ({@code BPF_MAP_CREATE} + {@code BPF_PROG_LOAD}
 * with its verifier and JIT, then closing the fds).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ObjectLoadBench {
    @Param({"XDP_PARSE", "XDP_FNV", "COMPUTE_PRIMES", "ARRAY_COUNTER", "HASH_FLOW", "SDT_LIKE"})
    public String object;

    private byte[] bytes;
    private String name;
    private CoreRuntime runtime;

    @Setup(Level.Trial)
    public void setUp() {
        Yardstick y = Yardstick.valueOf(object);
        bytes = y.objectBytes();
        name = y.object;
        runtime = Yardstick.runtime();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runtime.close();
    }

    @Benchmark
    public ObjectFile open() {
        return ObjectFile.open(bytes, name);
    }

    @Benchmark
    public int load() {
        try (LoadedObject o = ObjectFile.open(bytes, name).load(runtime)) {
            return o.programs().size();
        }
    }

    @Benchmark
    public int kernelLoad() {
        try (KernelObject k = KernelObject.load(ObjectFile.open(bytes, name))) {
            return k.hashCode();
        }
    }
}
