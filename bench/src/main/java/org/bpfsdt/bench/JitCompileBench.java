package org.bpfsdt.bench;

import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitRequest;
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
 * JIT compile time of each yardstick: the request the runtime made when it loaded the program
 * (verified instructions, maps, helpers), compiled again into executable memory and freed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class JitCompileBench {
    @Param({"XDP_PARSE", "XDP_FNV", "COMPUTE_PRIMES", "ARRAY_COUNTER", "HASH_FLOW", "SDT_LIKE", "SDT_LIKE_NOPROBE"})
    public String program;

    @Param({"x86_64"})
    public String engine;

    private Yardstick.Loaded loaded;
    private JitCompiler compiler;
    private JitRequest request;

    @Setup(Level.Trial)
    public void setUp() {
        loaded = Yardstick.valueOf(program).load(engine);
        compiler = loaded.code().current().service().compiler();
        request = loaded.code().code().request();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loaded.close();
    }

    @Benchmark
    public int compile() {
        try (JitImage image = compiler.compile(request)) {
            return image.code().length;
        }
    }
}
