package org.bpfsdt.maps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.function.LongUnaryOperator;

import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.api.spi.RingBufBackend;
import org.junit.jupiter.api.Test;

/**
 * The program side runs inside every BPF program run: once compiled, it must not allocate.
 * Measured with the JVM's per-thread allocation counter after a warm-up.
 */
class NoAllocationTest {
    private final TestContext ctx = new TestContext();
    private final StandardMapProvider provider = new StandardMapProvider();

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Bytes allocated per call of {@code op} once it is warm. */
    private static double allocationPerCall(LongUnaryOperator op) {
        long sink = 0;
        for (int i = 0; i < 300_000; i++) {
            sink += op.applyAsLong(i);
        }
        long before = allocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            sink += op.applyAsLong(i);
        }
        long bytes = allocatedBytes() - before;
        assertTrue(sink != 42 || bytes >= 0);
        return bytes / 100_000.0;
    }

    private void assertNoAllocation(String what, LongUnaryOperator op) {
        double perCall = allocationPerCall(op);
        assertTrue(perCall < 1, what + " allocates " + perCall + " bytes per call");
    }

    @Test
    void programSideLookupsAndUpdatesDoNotAllocate() {
        MemorySegment keys = Mem.alloc(64 * 4);
        for (int i = 0; i < 64; i++) {
            keys.setAtIndex(ValueLayout.JAVA_INT, i, i * 7);
        }
        MemorySegment value = Mem.u64s(1, 2);
        long k = keys.address();
        for (MapSpec spec : new MapSpec[] {MapSpec.of(MapType.ARRAY, 4, 16, 512), MapSpec.of(MapType.HASH, 4, 16, 64),
                MapSpec.of(MapType.PERCPU_HASH, 4, 16, 64), MapSpec.of(MapType.LRU_HASH, 4, 16, 64),
                MapSpec.of(MapType.PERCPU_ARRAY, 4, 16, 512)}) {
            try (MapBackend m = provider.create(spec, ctx)) {
                for (int i = 0; i < 64; i++) {
                    assertEquals(0, m.update(k + 4L * i, value.address(), MapFlags.ANY));
                }
                assertNoAllocation(spec.type() + " lookup", i -> m.lookup(k + 4 * (i & 63)));
                // HASH and LRU_HASH link a new element and retire the old one on every update
                assertNoAllocation(spec.type() + " update", i -> m.update(k + 4 * (i & 63), value.address(), MapFlags.EXIST));
            }
        }
        try (MapBackend trie = provider.create(MapSpec.of(MapType.LPM_TRIE, 8, 8, 64).withFlags(MapFlags.NO_PREALLOC), ctx)) {
            MemorySegment prefix = Mem.alloc(8);
            prefix.set(ValueLayout.JAVA_INT, 0, 8);
            prefix.set(ValueLayout.JAVA_BYTE, 4, (byte) 10);
            trie.update(prefix, Mem.u64(1), MapFlags.ANY);
            MemorySegment address = Mem.alloc(8);
            address.set(ValueLayout.JAVA_INT, 0, 32);
            address.set(ValueLayout.JAVA_INT, 4, 0x0403020a);
            assertNoAllocation("LPM_TRIE lookup", i -> trie.lookup(address.address()));
        }
    }

    @Test
    void ringBufferProducersAndQueuesDoNotAllocate() {
        try (RingBufBackend rb = (RingBufBackend) provider.create(MapSpec.of(MapType.RINGBUF, 0, 0, 1 << 16), ctx)) {
            var reader = rb.reader();
            assertNoAllocation("RINGBUF reserve+submit", i -> {
                long s = rb.reserve(16, 0);
                if (s == 0) {
                    return -1;
                }
                return rb.submit(s, RingBufBackend.RB_NO_WAKEUP) + (i % 1000 == 0 ? 0 : 0);
            });
            reader.consume(rec -> { });
        }
        try (MapBackend q = provider.create(MapSpec.of(MapType.QUEUE, 0, 8, 16), ctx)) {
            MemorySegment v = Mem.u64(5);
            assertNoAllocation("QUEUE push+pop", i -> q.push(v.address(), MapFlags.ANY) + q.pop(v.address()));
        }
        try (MapBackend b = provider.create(MapSpec.of(MapType.BLOOM_FILTER, 0, 8, 16), ctx)) {
            MemorySegment v = Mem.u64(5);
            assertNoAllocation("BLOOM_FILTER push+peek", i -> b.push(v.address(), MapFlags.ANY) + b.peek(v.address()));
        }
    }
}
