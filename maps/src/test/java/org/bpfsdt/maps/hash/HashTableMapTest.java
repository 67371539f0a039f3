package org.bpfsdt.maps.hash;

import static org.bpfsdt.maps.Errors.assertErrno;
import static org.bpfsdt.maps.Errors.assertRc;
import static org.bpfsdt.maps.Mem.u32;
import static org.bpfsdt.maps.Mem.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.maps.Mem;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.maps.TestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HashTableMapTest {
    private final TestContext ctx = new TestContext(4);
    private final StandardMapProvider provider = new StandardMapProvider();

    @AfterEach
    void noNativeMemoryLeft() {
        ctx.onCpu(0);
        assertEquals(0, provider.memory().bytes());
        assertEquals(0, provider.memory().openMaps());
    }

    private MapBackend hash(MapType type, int maxEntries, int flags) {
        return provider.create(MapSpec.of(type, 4, 8, maxEntries).withFlags(flags), ctx);
    }

    private static long value(MapBackend m, int key) {
        MemorySegment out = Mem.alloc(8);
        return m.lookup(u32(key), out) ? u64(out) : -1;
    }

    @Test
    void createChecksFollowHtabMapAllocCheck() {
        assertErrno(Errno.EINVAL, () -> hash(MapType.HASH, 1, MapFlags.MMAPABLE));
        assertErrno(Errno.EINVAL, () -> hash(MapType.HASH, 1, MapFlags.NO_COMMON_LRU));
        assertErrno(Errno.ENOTSUPP, () -> hash(MapType.LRU_HASH, 1, MapFlags.NO_PREALLOC));
        assertErrno(Errno.EINVAL, () -> hash(MapType.PERCPU_HASH, 1, MapFlags.NUMA_NODE));
        assertErrno(Errno.EINVAL, () -> hash(MapType.LRU_HASH, 1, MapFlags.NUMA_NODE | MapFlags.NO_COMMON_LRU));
        assertErrno(Errno.EINVAL, () -> hash(MapType.HASH, 0, 0));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.HASH, 0, 8, 1), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.HASH, 4, 0, 1), ctx));
        assertErrno(Errno.E2BIG, () -> provider.create(MapSpec.of(MapType.HASH, 4, (4 << 20) - 52, 1), ctx));
        assertErrno(Errno.E2BIG, () -> provider.create(MapSpec.of(MapType.PERCPU_HASH, 4, 32 * 1024 + 1, 1), ctx));
        assertErrno(Errno.E2BIG, () -> hash(MapType.HASH, (1 << 28) + 1, MapFlags.NO_PREALLOC));
        assertErrno(Errno.E2BIG, () -> hash(MapType.HASH, -1, MapFlags.NO_PREALLOC));
    }

    @Test
    void perCpuLruListsRoundMaxEntriesToTheCpuCount() {
        try (MapBackend m = hash(MapType.LRU_HASH, 3, MapFlags.NO_COMMON_LRU)) {
            assertEquals(4, m.spec().maxEntries(), "as the kernel: every CPU gets an equal share");
        }
    }

    @Test
    void updateFlagsAndErrorsFollowTheKernel() {
        try (MapBackend m = hash(MapType.HASH, 2, 0)) {
            assertErrno(Errno.ENOENT, () -> m.update(u32(1), Mem.u64(10), MapFlags.EXIST));
            m.update(u32(1), Mem.u64(10), MapFlags.NOEXIST);
            assertErrno(Errno.EEXIST, () -> m.update(u32(1), Mem.u64(11), MapFlags.NOEXIST));
            m.update(u32(1), Mem.u64(12), MapFlags.EXIST);
            m.update(u32(2), Mem.u64(20), MapFlags.ANY);
            assertErrno(Errno.E2BIG, () -> m.update(u32(3), Mem.u64(30), MapFlags.ANY));
            m.update(u32(2), Mem.u64(21), MapFlags.ANY); // replacing works in a full map
            assertErrno(Errno.EINVAL, () -> m.update(u32(1), Mem.u64(1), 3));
            assertErrno(Errno.EINVAL, () -> m.update(u32(1), Mem.u64(1), MapFlags.F_LOCK));
            assertEquals(12, value(m, 1));
            assertEquals(21, value(m, 2));
            assertEquals(-1, value(m, 3));

            assertTrue(m.delete(u32(2)));
            assertFalse(m.delete(u32(2)), "deleting a missing key is ENOENT");
            m.update(u32(3), Mem.u64(30), MapFlags.ANY);

            MemorySegment out = Mem.alloc(8);
            assertTrue(m.lookupAndDelete(u32(3), out));
            assertEquals(30, u64(out));
            assertFalse(m.lookupAndDelete(u32(3), out));
            assertEquals(-1, value(m, 3));
        }
    }

    @Test
    void nextKeyVisitsEveryKeyOnceAndRestartsForAMissingKey() {
        try (MapBackend m = hash(MapType.HASH, 64, MapFlags.NO_PREALLOC)) {
            Set<Integer> keys = new HashSet<>();
            for (int k = 0; k < 50; k++) {
                m.update(u32(k * 7919), Mem.u64(k), MapFlags.ANY);
                keys.add(k * 7919);
            }
            List<Integer> seen = iterate(m);
            assertEquals(keys, new HashSet<>(seen));
            assertEquals(keys.size(), seen.size());

            MemorySegment next = Mem.alloc(4);
            assertTrue(m.nextKey(u32(-5), next));
            assertEquals(seen.get(0), Mem.u32(next), "a key that is not there restarts from the first");
            assertFalse(m.nextKey(u32(seen.get(seen.size() - 1)), next));
        }
        try (MapBackend empty = hash(MapType.HASH, 4, 0)) {
            assertFalse(empty.nextKey(null, Mem.alloc(4)));
        }
    }

    static List<Integer> iterate(MapBackend m) {
        List<Integer> out = new ArrayList<>();
        MemorySegment key = null;
        MemorySegment next = Mem.alloc(4);
        while (m.nextKey(key, next)) {
            out.add(Mem.u32(next));
            key = u32(Mem.u32(next));
        }
        return out;
    }

    @Test
    void programsGetStableValueAddressesUntilTheirRunEnds() {
        try (MapBackend m = hash(MapType.HASH, 4, 0)) {
            m.update(u32(1), Mem.u64(100), MapFlags.ANY);
            TestContext.Run run = ctx.enterRun();
            long old = m.lookup(u32(1).address());
            assertEquals(100, Mem.u64At(old));

            m.update(u32(1), Mem.u64(200), MapFlags.ANY); // a new element replaces the old one
            long current = m.lookup(u32(1).address());
            assertNotEquals(old, current);
            assertEquals(200, Mem.u64At(current));
            assertTrue(m.delete(u32(1)));
            m.update(u32(2), Mem.u64(300), MapFlags.ANY);
            assertEquals(100, Mem.u64At(old), "the run still reads what it looked up: nothing reused its memory");

            run.close(); // the grace period ends: the two retired elements may be reused now
            m.update(u32(3), Mem.u64(400), MapFlags.ANY);
            m.update(u32(4), Mem.u64(500), MapFlags.ANY);
            long k3 = m.lookup(u32(3).address());
            long k4 = m.lookup(u32(4).address());
            assertTrue(k3 == old || k4 == old, "retired memory is reused after the grace period");
        }
    }

    @Test
    void programSideOperationsReturnNegativeErrnos() {
        try (MapBackend m = hash(MapType.HASH, 1, 0)) {
            MemorySegment k = u32(5);
            assertEquals(0, m.lookup(k.address()));
            assertRc(Errno.ENOENT, m.update(k.address(), Mem.u64(1).address(), MapFlags.EXIST));
            assertEquals(0, m.update(k.address(), Mem.u64(1).address(), MapFlags.ANY));
            assertRc(Errno.EEXIST, m.update(k.address(), Mem.u64(1).address(), MapFlags.NOEXIST));
            assertRc(Errno.E2BIG, m.update(u32(6).address(), Mem.u64(1).address(), MapFlags.ANY));
            assertEquals(1, Mem.u64At(m.lookup(k.address())));
            assertEquals(0, m.delete(k.address()));
            assertRc(Errno.ENOENT, m.delete(k.address()));
        }
        try (MapBackend ro = hash(MapType.HASH, 1, MapFlags.RDONLY_PROG)) {
            assertRc(Errno.EACCES, ro.update(u32(1).address(), Mem.u64(1).address(), MapFlags.ANY));
            assertRc(Errno.EACCES, ro.delete(u32(1).address()));
        }
    }

    @Test
    void keysOfAnySizeHashAndCompareByAllTheirBytes() {
        try (MapBackend m = provider.create(MapSpec.of(MapType.HASH, 13, 3, 8), ctx)) {
            MemorySegment a = Mem.bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
            MemorySegment b = Mem.bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14);
            m.update(a, Mem.bytes(0xa, 0xa, 0xa), MapFlags.ANY);
            m.update(b, Mem.bytes(0xb, 0xb, 0xb), MapFlags.ANY);
            MemorySegment out = Mem.alloc(3);
            m.lookup(b, out);
            assertEquals(0xb, out.get(ValueLayout.JAVA_BYTE, 2));
            assertEquals(0xa, Mem.u32At(m.lookup(a.address())) & 0xff);
        }
    }

    @Test
    void perCpuHashesWriteTheCallersCpuAndJavaSeesThemAll() {
        try (MapBackend m = hash(MapType.PERCPU_HASH, 4, 0)) {
            ctx.onCpu(1);
            assertEquals(0, m.update(u32(7).address(), Mem.u64(11).address(), MapFlags.ANY));
            ctx.onCpu(3);
            assertEquals(0, m.update(u32(7).address(), Mem.u64(33).address(), MapFlags.ANY));
            assertEquals(33, Mem.u64At(m.lookup(u32(7).address())));
            assertEquals(11, Mem.u64At(m.lookupPercpu(u32(7).address(), 1)));
            assertEquals(0, m.lookupPercpu(u32(7).address(), 4));

            MemorySegment all = Mem.alloc(32);
            assertTrue(m.lookup(u32(7), all));
            assertArrayEquals(new long[] {0, 11, 0, 33}, all.toArray(ValueLayout.JAVA_LONG),
                    "a new element starts with zeros on the other CPUs");

            long before = m.lookup(u32(7).address());
            m.update(u32(7), Mem.u64s(1, 2, 3, 4), MapFlags.ANY);
            assertEquals(before, m.lookup(u32(7).address()), "per-CPU values are updated in place");
            assertEquals(4, Mem.u64At(before));
            assertErrno(Errno.EINVAL, () -> m.update(u32(7), Mem.u64s(1, 2, 3, 4), MapFlags.F_LOCK));
            assertErrno(Errno.EINVAL, () -> m.update(u32(7), Mem.u64(1), MapFlags.ANY), "Java passes one value per CPU");
        }
    }

    @Test
    void lruMapsEvictWhatProgramsUsedLeast() {
        try (MapBackend m = hash(MapType.LRU_HASH, 4, 0)) {
            for (int k = 1; k <= 4; k++) {
                m.update(u32(k), Mem.u64(k), MapFlags.ANY);
            }
            // programs use 1, 2 and 4; Java reads of 3 do not count as use
            for (int k : new int[] {1, 2, 4}) {
                m.lookup(u32(k).address());
            }
            value(m, 3);
            m.update(u32(5), Mem.u64(5), MapFlags.ANY);
            assertEquals(-1, value(m, 3), "the least recently used key made room");
            for (int k : new int[] {1, 2, 4, 5}) {
                assertEquals(k, value(m, k));
            }
            // a full LRU map never refuses a new key
            for (int k = 10; k < 100; k++) {
                m.lookup(u32(1).address());
                assertEquals(0, m.update(u32(k).address(), Mem.u64(k).address(), MapFlags.ANY));
            }
            assertEquals(1, value(m, 1), "a key used all along survives");
            assertEquals(99, value(m, 99));
            assertEquals(4, iterate(m).size());
            assertErrno(Errno.EEXIST, () -> m.update(u32(1), Mem.u64(1), MapFlags.NOEXIST));
            assertErrno(Errno.ENOENT, () -> m.update(u32(1000), Mem.u64(1), MapFlags.EXIST));
        }
    }

    @Test
    void lruPerCpuMapsCombineBoth() {
        try (MapBackend m = hash(MapType.LRU_PERCPU_HASH, 2, 0)) {
            ctx.onCpu(2);
            m.update(u32(1).address(), Mem.u64(21).address(), MapFlags.ANY);
            m.update(u32(2).address(), Mem.u64(22).address(), MapFlags.ANY);
            m.lookup(u32(1).address());
            m.update(u32(3).address(), Mem.u64(23).address(), MapFlags.ANY);
            MemorySegment all = Mem.alloc(32);
            assertFalse(m.lookup(u32(2), all));
            assertTrue(m.lookup(u32(1), all));
            assertArrayEquals(new long[] {0, 0, 21, 0}, all.toArray(ValueLayout.JAVA_LONG));
        }
    }

    /** {@code struct { struct bpf_spin_lock lock; u32 count; }}. */
    private static MapSpec lockedHash() {
        Btf btf = new Btf(List.of(new BtfType.Void(),
                new BtfType.Int("unsigned int", 4, 0, 0, 32),
                new BtfType.Struct("bpf_spin_lock", 4, List.of(new BtfType.Member("val", 1, 0, 0))),
                new BtfType.Struct("counter", 8, List.of(new BtfType.Member("lock", 2, 0, 0), new BtfType.Member("count", 1, 32, 0)))));
        return MapSpec.of(MapType.HASH, 4, 8, 4).withBtf(btf, 1, 3);
    }

    @Test
    void bpfFLockUpdatesInPlaceUnderTheValuesLock() {
        try (MapBackend m = provider.create(lockedHash(), ctx)) {
            assertErrno(Errno.ENOENT, () -> m.update(u32(1), Mem.u64(5L << 32), MapFlags.F_LOCK | MapFlags.EXIST));
            m.update(u32(1), Mem.u64(5L << 32 | 0xffff), MapFlags.F_LOCK);
            long v = m.lookup(u32(1).address());
            assertEquals(0, Mem.u32At(v), "a new value starts unlocked whatever the caller passed");
            m.update(u32(1), Mem.u64(6L << 32), MapFlags.F_LOCK);
            assertEquals(v, m.lookup(u32(1).address()), "BPF_F_LOCK copies into the existing value");
            assertEquals(6, Mem.u32At(v + 4));
        }
        assertErrno(Errno.EOPNOTSUPP, () -> provider.create(new MapSpec(MapType.LRU_HASH, "", 4, 8, 4, 0, lockedHash().btf(), 1, 3, 0), ctx));
    }

    @Test
    void unpreallocatedMapsGrowAsTheyFill() {
        try (MapBackend prealloc = hash(MapType.HASH, 10_000, 0); MapBackend lazy = hash(MapType.HASH, 10_000, MapFlags.NO_PREALLOC)) {
            long preallocBytes = ((HashTableMap) prealloc).memoryBytes();
            long lazyBytes = ((HashTableMap) lazy).memoryBytes();
            assertTrue(lazyBytes < preallocBytes / 2, lazyBytes + " vs " + preallocBytes);
            for (int k = 0; k < 10_000; k++) {
                lazy.update(u32(k), Mem.u64(k), MapFlags.ANY);
            }
            assertEquals(10_000, ((HashTableMap) lazy).count());
            assertErrno(Errno.E2BIG, () -> lazy.update(u32(-1), Mem.u64(0), MapFlags.ANY));
        }
    }
}
