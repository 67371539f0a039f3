package org.bpfsdt.bench;

import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.oracle.KernelBpf;
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
 * Java using a map as the {@code BPF_MAP_*_ELEM} commands do, through {@link BpfMap} (4-byte keys,
 * 8-byte values, 1,024 entries, keys taken in turn), and, as the baseline, the same calls on a
 * kernel map of the same shape through the {@code bpf()} syscall from the same JVM.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MapBench {
    private static final int ENTRIES = 1024;

    @Param({"ARRAY", "HASH"})
    public String type;

    private CoreRuntime runtime;
    private BpfMap map;
    private int kernelFd = -1;
    private byte[][] keys;
    private byte[] value;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        MapType t = MapType.valueOf(type);
        runtime = Yardstick.runtime();
        map = runtime.mapCreate(MapSpec.of(t, 4, 8, ENTRIES).withName("bench"));
        keys = new byte[ENTRIES][];
        value = new byte[] {1, 2, 3, 4, 5, 6, 7, 8};
        for (int i = 0; i < ENTRIES; i++) {
            keys[i] = new byte[] {(byte) i, (byte) (i >>> 8), 0, 0};
            map.update(keys[i], value, MapFlags.ANY);
        }
        if (KernelBpf.availability().available()) {
            kernelFd = KernelBpf.mapCreate(t, 4, 8, ENTRIES, 0, 0, "bench");
            for (byte[] k : keys) {
                KernelBpf.mapUpdate(kernelFd, k, value, MapFlags.ANY);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        map.close();
        runtime.close();
        if (kernelFd >= 0) {
            KernelBpf.close(kernelFd);
        }
    }

    private byte[] nextKey() {
        next = (next + 1) & (ENTRIES - 1);
        return keys[next];
    }

    @Benchmark
    public Object lookup() {
        return map.lookup(nextKey());
    }

    @Benchmark
    public void update() {
        map.update(nextKey(), value, MapFlags.ANY);
    }

    @Benchmark
    public Object kernelLookup() {
        return KernelBpf.mapLookup(kernelFd, nextKey(), 8);
    }

    @Benchmark
    public void kernelUpdate() {
        KernelBpf.mapUpdate(kernelFd, nextKey(), value, MapFlags.ANY);
    }
}
