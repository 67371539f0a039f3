package org.bpfsdt.maps;

import static org.bpfsdt.api.MapFlags.F_LOCK;
import static org.bpfsdt.api.MapFlags.INNER_MAP;
import static org.bpfsdt.api.MapFlags.MMAPABLE;
import static org.bpfsdt.api.MapFlags.NO_COMMON_LRU;
import static org.bpfsdt.api.MapFlags.NO_PREALLOC;
import static org.bpfsdt.api.MapFlags.NUMA_NODE;
import static org.bpfsdt.api.MapFlags.PRESERVE_ELEMS;
import static org.bpfsdt.api.MapFlags.RDONLY;
import static org.bpfsdt.api.MapFlags.RDONLY_PROG;
import static org.bpfsdt.api.MapFlags.WRONLY;
import static org.bpfsdt.api.MapFlags.WRONLY_PROG;
import static org.bpfsdt.api.MapFlags.ZERO_SEED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.spi.MapBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The running kernel as the reference: the same specs and the same operations go to Linux's
 * {@code bpf()} and to our maps, and every result (errno, value, iteration order) must agree.
 * Hash maps and bloom filters use {@code BPF_F_ZERO_SEED}, so even their bucket order and false
 * positives must be the kernel's. Skipped, with the reason, where {@code bpf()} is not available.
 */
class KernelOracleTest {
    private static final TestContext CTX = new TestContext(KernelBpf.possibleCpus());
    private static final StandardMapProvider PROVIDER = new StandardMapProvider();

    @BeforeAll
    static void kernelAvailable() {
        String reason = KernelBpf.unavailableReason();
        Assumptions.assumeTrue(reason == null, () -> "kernel oracle skipped: " + reason);
    }

    private static MapSpec spec(MapType type, int key, int value, int max, int flags) {
        return new MapSpec(type, "", key, value, max, flags, null, 0, 0, 0);
    }

    static Stream<MapSpec> creationCases() {
        MapType A = MapType.ARRAY, PA = MapType.PERCPU_ARRAY, H = MapType.HASH, PH = MapType.PERCPU_HASH, L = MapType.LRU_HASH,
                PL = MapType.LRU_PERCPU_HASH, R = MapType.RINGBUF, P = MapType.PROG_ARRAY, Q = MapType.QUEUE, S = MapType.STACK,
                T = MapType.LPM_TRIE, B = MapType.BLOOM_FILTER;
        return Stream.of(
                spec(A, 4, 8, 0, 0), spec(A, 8, 8, 1, 0), spec(A, 4, 0, 1, 0), spec(A, 4, 8, 1, NO_PREALLOC),
                spec(A, 4, 8, 1, MMAPABLE), spec(A, 4, 8, 1, INNER_MAP), spec(A, 4, 8, 1, PRESERVE_ELEMS),
                spec(A, 4, 8, 1, RDONLY_PROG | WRONLY_PROG), spec(A, 4, 8, 1, RDONLY | WRONLY), spec(A, 4, 8, 1, RDONLY_PROG),
                spec(A, 4, 8, 1, ZERO_SEED), spec(A, 4, Integer.MIN_VALUE, 1, 0), spec(A, 4, 8, 1, NUMA_NODE), spec(A, 4, 8, 1, 1 << 20),
                spec(A, 4, 8, 1, 0).withMapExtra(1), spec(A, 4, 8, 1, 0).withName("a-b"), spec(A, 4, 8, 1, 0).withName("ok.name_1"),
                spec(A, 4, 8, 1, 0).withName("sixteen_chars_xx"),
                spec(PA, 4, 32768, 1, 0), spec(PA, 4, 32769, 1, 0), spec(PA, 4, 8, 1, MMAPABLE), spec(PA, 4, 8, 1, NUMA_NODE),
                spec(P, 4, 8, 1, 0), spec(P, 4, 4, 1, RDONLY_PROG), spec(P, 4, 4, 1, MMAPABLE), spec(P, 4, 4, 1, NUMA_NODE), spec(P, 4, 4, 0, 0),
                spec(H, 0, 8, 1, 0), spec(H, 4, 0, 1, 0), spec(H, 4, 8, 0, 0), spec(H, 4, 8, 1, NO_COMMON_LRU), spec(H, 4, 8, 1, MMAPABLE),
                spec(H, 4, 8, 1, ZERO_SEED), spec(H, 4, 8, 1, NO_PREALLOC | ZERO_SEED), spec(H, 4, (4 << 20) - 52, 1, NO_PREALLOC),
                spec(H, 4, (4 << 20) - 53, 1, NO_PREALLOC), spec(H, 4, 8, (1 << 28) + 1, NO_PREALLOC), spec(H, 4, 8, -1, NO_PREALLOC),
                spec(H, 4, 8, 1 << 20, NO_PREALLOC), spec(H, 4, 8, 1, NUMA_NODE), spec(H, 4, 8, 1, INNER_MAP),
                spec(PH, 4, 8, 1, NUMA_NODE), spec(PH, 4, 32769, 1, 0), spec(PH, 4, 32768, 1, 0), spec(PH, 4, 8, 1, NO_COMMON_LRU),
                spec(L, 4, 8, 1, NO_PREALLOC), spec(L, 4, 8, 3, NO_COMMON_LRU), spec(L, 4, 8, 1, NUMA_NODE | NO_COMMON_LRU),
                spec(L, 4, 8, 1, NUMA_NODE), spec(L, 0, 8, 1, 0),
                spec(PL, 4, 8, 1, NUMA_NODE), spec(PL, 4, 8, 5, NO_COMMON_LRU), spec(PL, 4, 8, 1, 0),
                spec(R, 0, 0, 4096, 0), spec(R, 0, 0, 4096 * 3, 0), spec(R, 0, 0, 2048, 0), spec(R, 4, 0, 4096, 0), spec(R, 0, 4, 4096, 0),
                spec(R, 0, 0, 4096, RDONLY), spec(R, 0, 0, 4096, NUMA_NODE), spec(R, 0, 0, 0, 0), spec(R, 0, 0, 1 << 20, 0),
                spec(Q, 4, 8, 1, 0), spec(Q, 0, 0, 1, 0), spec(Q, 0, 8, 0, 0), spec(Q, 0, 8, 1, NO_PREALLOC), spec(Q, 0, 8, 1, RDONLY),
                spec(Q, 0, 8, 1, NUMA_NODE), spec(Q, 0, (4 << 20) + 1, 1, 0), spec(S, 0, 8, 1, ZERO_SEED), spec(S, 0, 8, 3, 0),
                spec(T, 8, 4, 1, 0), spec(T, 4, 4, 1, NO_PREALLOC), spec(T, 5, 4, 1, NO_PREALLOC), spec(T, 260, 4, 1, NO_PREALLOC),
                spec(T, 261, 4, 1, NO_PREALLOC), spec(T, 8, 0, 1, NO_PREALLOC), spec(T, 8, 4, 0, NO_PREALLOC),
                spec(T, 8, 4, 1, NO_PREALLOC | ZERO_SEED), spec(T, 8, 4, 1, NO_PREALLOC | RDONLY_PROG),
                spec(B, 0, 4, 10, 0).withMapExtra(16), spec(B, 0, 4, 10, 0).withMapExtra(15), spec(B, 0, 4, 10, 0),
                spec(B, 4, 4, 10, 0), spec(B, 0, 0, 10, 0), spec(B, 0, 4, 0, 0), spec(B, 0, 4, 10, NO_PREALLOC),
                spec(B, 0, 4, 10, ZERO_SEED), spec(B, 0, (4 << 20) + 1, 1, 0), spec(B, 4, (4 << 20) + 1, 1, 0));
    }

    @ParameterizedTest
    @MethodSource("creationCases")
    void creationAgreesWithTheKernel(MapSpec spec) {
        long fd = KernelBpf.mapCreate(spec);
        if (fd >= 0) {
            KernelBpf.close(fd);
        }
        long ours;
        try {
            PROVIDER.create(spec, CTX).close();
            ours = 0;
        } catch (BpfException e) {
            ours = e.negativeErrno();
        }
        assertEquals(fd >= 0 ? 0 : fd, ours, spec.toString());
    }

    // the same operations on both -------------------------------------------------------------

    /** One map, kernel or ours, with every result as the syscall gives it: 0 or a negative errno. */
    private interface Side extends AutoCloseable {
        long lookup(MemorySegment key, MemorySegment out);

        long update(MemorySegment key, MemorySegment value, long flags);

        long delete(MemorySegment key);

        long nextKey(MemorySegment key, MemorySegment out);

        long lookupAndDelete(MemorySegment key, MemorySegment out);

        @Override
        void close();
    }

    private record Kernel(long fd) implements Side {
        public long lookup(MemorySegment k, MemorySegment o) {
            return KernelBpf.lookup(fd, k, o);
        }

        public long update(MemorySegment k, MemorySegment v, long f) {
            return KernelBpf.update(fd, k, v, f);
        }

        public long delete(MemorySegment k) {
            return KernelBpf.delete(fd, k);
        }

        public long nextKey(MemorySegment k, MemorySegment o) {
            return KernelBpf.nextKey(fd, k, o);
        }

        public long lookupAndDelete(MemorySegment k, MemorySegment o) {
            return KernelBpf.lookupAndDelete(fd, k, o);
        }

        public void close() {
            KernelBpf.close(fd);
        }
    }

    private record Ours(MapBackend m) implements Side {
        private static long rc(Runnable op) {
            try {
                op.run();
                return 0;
            } catch (BpfException e) {
                return e.negativeErrno();
            }
        }

        private static long found(java.util.function.BooleanSupplier op) {
            try {
                return op.getAsBoolean() ? 0 : -2;
            } catch (BpfException e) {
                return e.negativeErrno();
            }
        }

        public long lookup(MemorySegment k, MemorySegment o) {
            return found(() -> m.lookup(k, o));
        }

        public long update(MemorySegment k, MemorySegment v, long f) {
            return rc(() -> m.update(k, v, f));
        }

        public long delete(MemorySegment k) {
            return found(() -> m.delete(k));
        }

        public long nextKey(MemorySegment k, MemorySegment o) {
            return found(() -> m.nextKey(k, o));
        }

        public long lookupAndDelete(MemorySegment k, MemorySegment o) {
            return found(() -> m.lookupAndDelete(k, o));
        }

        public void close() {
            m.close();
        }
    }

    /** Runs one operation on both and checks they agree on the result and on what was written to {@code out}. */
    private static final class Pair {
        private final Side kernel;
        private final Side ours;
        private final long outSize;
        private final List<String> log = new ArrayList<>();

        Pair(MapSpec spec) {
            long fd = KernelBpf.mapCreate(spec);
            Assumptions.assumeTrue(fd >= 0, () -> "the kernel refuses " + spec + " with errno " + -fd);
            this.kernel = new Kernel(fd);
            this.ours = new Ours(PROVIDER.create(spec, CTX));
            this.outSize = Math.max(spec.type().isPerCpu() ? CTX.possibleCpus() * 8L : spec.valueSize(), spec.keySize());
        }

        interface Op {
            long apply(Side side, MemorySegment out);
        }

        /** What the kernel wrote to {@code out} in the last operation that succeeded. */
        private MemorySegment lastOut;

        long both(String what, Op op) {
            MemorySegment kOut = Mem.alloc(outSize);
            MemorySegment oOut = Mem.alloc(outSize);
            long k = op.apply(kernel, kOut);
            long o = op.apply(ours, oOut);
            log.add(what + " -> " + k);
            assertEquals(k, o, () -> "after:\n" + String.join("\n", log.subList(Math.max(0, log.size() - 15), log.size())));
            if (k == 0) {
                assertEquals(HexFormat.of().formatHex(kOut.toArray(ValueLayout.JAVA_BYTE)),
                        HexFormat.of().formatHex(oOut.toArray(ValueLayout.JAVA_BYTE)), what + ": output differs");
                lastOut = kOut;
            }
            return k;
        }

        /** Walks both maps with get_next_key from the start: the same keys must come in the same order. */
        void sameIteration(int keySize) {
            MemorySegment key = null;
            while (true) {
                MemorySegment from = key;
                if (both("next_key", (s, out) -> s.nextKey(from, out)) != 0) {
                    return;
                }
                key = Mem.alloc(keySize);
                key.copyFrom(lastOut.asSlice(0, keySize));
            }
        }

        void close() {
            kernel.close();
            ours.close();
        }
    }

    static Stream<MapSpec> keyedMaps() {
        int cpus = CTX.possibleCpus();
        return Stream.of(
                spec(MapType.ARRAY, 4, 8, 24, 0),
                spec(MapType.PERCPU_ARRAY, 4, 8, 24, 0),
                spec(MapType.HASH, 4, 8, 24, ZERO_SEED),
                spec(MapType.HASH, 4, 8, 24, ZERO_SEED | NO_PREALLOC),
                spec(MapType.HASH, 6, 8, 24, ZERO_SEED),
                spec(MapType.PERCPU_HASH, 4, 8, 24, ZERO_SEED),
                spec(MapType.LRU_HASH, 4, 8, 4096, ZERO_SEED),
                spec(MapType.LRU_PERCPU_HASH, 4, 8, 64 * cpus, ZERO_SEED));
    }

    @ParameterizedTest
    @MethodSource("keyedMaps")
    void keyedOperationsAgreeWithTheKernel(MapSpec spec) {
        Pair p = new Pair(spec);
        Random rnd = new Random(spec.hashCode());
        boolean lru = spec.type() == MapType.LRU_HASH || spec.type() == MapType.LRU_PERCPU_HASH;
        int keys = lru ? 48 : 40; // LRU maps stay below max_entries: their eviction is only approximately the kernel's
        long[] flags = {0, 0, 0, 1, 2, 3, F_LOCK};
        long valueBytes = spec.type().isPerCpu() ? CTX.possibleCpus() * 8L : spec.valueSize();
        try {
            for (int i = 0; i < 3000; i++) {
                MemorySegment key = key(spec.keySize(), rnd.nextInt(keys));
                switch (rnd.nextInt(6)) {
                    case 0, 1 -> {
                        MemorySegment value = Mem.alloc(valueBytes);
                        for (long b = 0; b < valueBytes; b += 8) {
                            value.set(ValueLayout.JAVA_LONG, b, rnd.nextLong());
                        }
                        long f = flags[rnd.nextInt(flags.length)];
                        p.both("update " + describe(key) + " flags " + f, (s, out) -> s.update(key, value, f));
                    }
                    case 2 -> p.both("lookup " + describe(key), (s, out) -> s.lookup(key, out));
                    case 3 -> p.both("delete " + describe(key), (s, out) -> s.delete(key));
                    case 4 -> p.both("lookup_and_delete " + describe(key), (s, out) -> s.lookupAndDelete(key, out));
                    default -> {
                        MemorySegment from = rnd.nextInt(4) == 0 ? null : key;
                        p.both("next_key " + (from == null ? "NULL" : describe(from)), (s, out) -> s.nextKey(from, out));
                    }
                }
                if (i % 250 == 0) {
                    p.sameIteration(spec.keySize());
                }
            }
            p.sameIteration(spec.keySize());
        } finally {
            p.close();
        }
    }

    private static MemorySegment key(int size, int n) {
        MemorySegment k = Mem.alloc(size);
        k.set(ValueLayout.JAVA_INT, 0, n * 2654435761L > 0 ? (int) (n * 2654435761L) : n);
        if (size > 4) {
            k.set(ValueLayout.JAVA_BYTE, 4, (byte) n);
        }
        return k;
    }

    private static String describe(MemorySegment key) {
        return HexFormat.of().formatHex(key.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void lpmTrieOperationsAndOrderAgreeWithTheKernel() {
        Pair p = new Pair(spec(MapType.LPM_TRIE, 8, 8, 20, NO_PREALLOC));
        Random rnd = new Random(7);
        try {
            for (int i = 0; i < 3000; i++) {
                MemorySegment key = Mem.alloc(8);
                key.set(ValueLayout.JAVA_INT, 0, rnd.nextInt(36)); // 33..35 are too long
                key.set(ValueLayout.JAVA_BYTE, 4, (byte) 10);
                key.set(ValueLayout.JAVA_BYTE, 5, (byte) (rnd.nextInt(4) * 64));
                key.set(ValueLayout.JAVA_BYTE, 6, (byte) rnd.nextInt(3));
                key.set(ValueLayout.JAVA_BYTE, 7, (byte) (rnd.nextInt(2) * 128));
                switch (rnd.nextInt(6)) {
                    case 0, 1 -> {
                        MemorySegment value = Mem.u64(rnd.nextLong());
                        long f = rnd.nextInt(5);
                        p.both("update " + describe(key) + " flags " + f, (s, out) -> s.update(key, value, f));
                    }
                    case 2 -> p.both("lookup " + describe(key), (s, out) -> s.lookup(key, out));
                    case 3 -> p.both("delete " + describe(key), (s, out) -> s.delete(key));
                    case 4 -> p.both("lookup_and_delete " + describe(key), (s, out) -> s.lookupAndDelete(key, out));
                    default -> p.both("next_key " + describe(key), (s, out) -> s.nextKey(key, out));
                }
                if (i % 200 == 0) {
                    p.sameIteration(8);
                }
            }
        } finally {
            p.close();
        }
    }

    @Test
    void queuesAndStacksAgreeWithTheKernel() {
        for (MapType type : new MapType[] {MapType.QUEUE, MapType.STACK}) {
            Pair p = new Pair(spec(type, 0, 8, 5, 0));
            Random rnd = new Random(type.ordinal());
            try {
                for (int i = 0; i < 2000; i++) {
                    switch (rnd.nextInt(5)) {
                        case 0, 1 -> {
                            MemorySegment value = Mem.u64(rnd.nextLong());
                            long f = rnd.nextInt(4);
                            p.both("push flags " + f, (s, out) -> s.update(null, value, f));
                        }
                        case 2 -> p.both("peek", (s, out) -> s.lookup(null, out));
                        case 3 -> p.both("pop", (s, out) -> s.lookupAndDelete(null, out));
                        default -> {
                            p.both("delete", (s, out) -> s.delete(null));
                            p.both("next_key", (s, out) -> s.nextKey(null, out));
                        }
                    }
                }
            } finally {
                p.close();
            }
        }
    }

    @Test
    void bloomFiltersGiveTheKernelsAnswersIncludingFalsePositives() {
        Pair p = new Pair(spec(MapType.BLOOM_FILTER, 0, 8, 100, ZERO_SEED).withMapExtra(3));
        Random rnd = new Random(3);
        try {
            for (int i = 0; i < 100; i++) {
                MemorySegment value = Mem.u64(rnd.nextInt(1000));
                p.both("push", (s, out) -> s.update(null, value, 0));
            }
            p.both("push with BPF_EXIST", (s, out) -> s.update(null, Mem.u64(1), 2));
            int positives = 0;
            for (int v = 0; v < 5000; v++) {
                MemorySegment value = Mem.u64(v);
                // the syscall reads the value to test from the value buffer
                if (p.both("peek " + v, (s, out) -> s.lookup(null, value)) == 0) {
                    positives++;
                }
            }
            p.both("delete", (s, out) -> s.delete(null));
            p.both("pop", (s, out) -> s.lookupAndDelete(null, out));
            p.both("next_key", (s, out) -> s.nextKey(null, out));
            Assumptions.assumeTrue(positives > 0);
        } finally {
            p.close();
        }
    }

    @Test
    void ringBuffersRefuseKeyedOperationsAsTheKernelDoes() {
        Pair p = new Pair(spec(MapType.RINGBUF, 0, 0, 4096, 0));
        try {
            p.both("lookup", (s, out) -> s.lookup(null, out));
            p.both("update", (s, out) -> s.update(null, Mem.u64(0), 0));
            p.both("delete", (s, out) -> s.delete(null));
            p.both("next_key", (s, out) -> s.nextKey(null, out));
        } finally {
            p.close();
        }
    }

    @Test
    void progArraysRefuseWhatTheKernelRefuses() {
        Pair p = new Pair(spec(MapType.PROG_ARRAY, 4, 4, 4, 0));
        try {
            p.both("lookup empty", (s, out) -> s.lookup(Mem.u32(0), out));
            p.both("update noexist", (s, out) -> s.update(Mem.u32(0), Mem.u32(1), 1));
            p.both("update out of range", (s, out) -> s.update(Mem.u32(9), Mem.u32(1), 0));
            p.both("delete out of range", (s, out) -> s.delete(Mem.u32(9)));
            p.both("delete empty", (s, out) -> s.delete(Mem.u32(0)));
            p.both("next_key", (s, out) -> s.nextKey(Mem.u32(3), out));
        } finally {
            p.close();
        }
    }
}
