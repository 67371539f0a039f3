package org.bpfsdt.maps.queue;

import static org.bpfsdt.maps.Errors.assertErrno;
import static org.bpfsdt.maps.Errors.assertRc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.maps.Mem;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.maps.TestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BloomFilterMapTest {
    private final TestContext ctx = new TestContext();
    private final StandardMapProvider provider = new StandardMapProvider();

    @AfterEach
    void noNativeMemoryLeft() {
        assertEquals(0, provider.memory().bytes());
    }

    private MapBackend bloom(int maxEntries, long hashes) {
        return provider.create(MapSpec.of(MapType.BLOOM_FILTER, 0, 8, maxEntries).withMapExtra(hashes), ctx);
    }

    @Test
    void createChecksFollowBloomMapAlloc() {
        assertErrno(Errno.EINVAL, () -> bloom(10, 16), "map_extra holds at most 15 hash functions");
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.BLOOM_FILTER, 4, 8, 10), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.BLOOM_FILTER, 0, 0, 10), ctx));
        assertErrno(Errno.EINVAL, () -> bloom(0, 3));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.BLOOM_FILTER, 0, 8, 1).withFlags(MapFlags.NO_PREALLOC), ctx));
        assertErrno(Errno.E2BIG, () -> provider.create(MapSpec.of(MapType.BLOOM_FILTER, 4, (4 << 20) + 1, 1), ctx),
                "the value size is checked first");
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.HASH, 4, 8, 1).withMapExtra(1), ctx),
                "map_extra belongs to bloom filters");
    }

    @Test
    void everyAddedValueIsFoundAndFewOthersAre() {
        try (MapBackend m = bloom(1000, 3)) {
            for (long v = 0; v < 1000; v++) {
                m.update(null, Mem.u64(v * 31), MapFlags.ANY);
            }
            for (long v = 0; v < 1000; v++) {
                assertTrue(m.lookup(null, Mem.u64(v * 31)), "no false negatives");
                assertEquals(0, m.peek(Mem.u64(v * 31).address()));
            }
            int falsePositives = 0;
            for (long v = 0; v < 10_000; v++) {
                if (m.lookup(null, Mem.u64(-1 - v))) {
                    falsePositives++;
                }
            }
            // 4096 bits for 1000 values with 3 hashes: about 14% expected
            assertTrue(falsePositives < 2_500, falsePositives + " false positives in 10000");
        }
    }

    @Test
    void defaultsToFiveHashesAndSizesTheBitArrayAsTheKernel() {
        assertEquals(63, BloomFilterMap.bitMask(1, 5), "at least 64 bits");
        assertEquals(8191, BloomFilterMap.bitMask(1000, 5), "1000 * 5 * 7/5 rounded up to a power of two");
        assertEquals(0xffffffffL, BloomFilterMap.bitMask(0xffffffffL, 15), "overflow gives 2^32 bits");
        try (MapBackend m = bloom(100, 0)) {
            m.update(null, Mem.u64(5), MapFlags.ANY);
            assertTrue(m.lookup(null, Mem.u64(5)));
        }
    }

    @Test
    void onlyAddingAndTestingExist() {
        try (MapBackend m = bloom(10, 2)) {
            assertErrno(Errno.EINVAL, () -> m.update(null, Mem.u64(1), MapFlags.EXIST));
            assertErrno(Errno.EOPNOTSUPP, () -> m.delete(null));
            assertErrno(Errno.EOPNOTSUPP, () -> m.nextKey(null, Mem.alloc(8)));
            assertErrno(Errno.ENOTSUPP, () -> m.lookupAndDelete(null, Mem.alloc(8)));
            assertRc(Errno.ENOENT, m.peek(Mem.u64(1).address()));
            assertRc(Errno.EINVAL, m.push(Mem.u64(1).address(), MapFlags.NOEXIST));
            assertRc(Errno.EOPNOTSUPP, m.pop(Mem.alloc(8).address()));
            assertEquals(0, m.lookup(Mem.u64(1).address()));
        }
    }
}
