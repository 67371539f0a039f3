package org.bpfsdt.maps.array;

import static org.bpfsdt.maps.Errors.assertErrno;
import static org.bpfsdt.maps.Errors.assertRc;
import static org.bpfsdt.maps.Mem.u32;
import static org.bpfsdt.maps.Mem.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.BpfSpinLock;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.maps.InsnEval;
import org.bpfsdt.maps.Mem;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.maps.TestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ArrayMapTest {
    private final TestContext ctx = new TestContext(4);
    private final StandardMapProvider provider = new StandardMapProvider();

    @AfterEach
    void noNativeMemoryLeft() {
        assertEquals(0, provider.memory().bytes());
        assertEquals(0, provider.memory().openMaps());
    }

    private MapBackend array(int valueSize, int maxEntries) {
        return provider.create(MapSpec.of(MapType.ARRAY, 4, valueSize, maxEntries), ctx);
    }

    @Test
    void createChecksFollowArrayMapAllocCheck() {
        assertErrno(Errno.EINVAL, () -> array(8, 0));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.ARRAY, 8, 8, 1), ctx));
        assertErrno(Errno.EINVAL, () -> array(0, 1));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withFlags(MapFlags.NO_PREALLOC), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1)
                .withFlags(MapFlags.RDONLY_PROG | MapFlags.WRONLY_PROG), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.PERCPU_ARRAY, 4, 8, 1).withFlags(MapFlags.MMAPABLE), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.PERCPU_ARRAY, 4, 8, 1).withFlags(MapFlags.NUMA_NODE), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withFlags(MapFlags.PRESERVE_ELEMS), ctx));
        assertErrno(Errno.E2BIG, () -> array(Integer.MIN_VALUE, 1));
        assertErrno(Errno.E2BIG, () -> provider.create(MapSpec.of(MapType.PERCPU_ARRAY, 4, 32 * 1024 + 1, 1), ctx));
        assertErrno(Errno.ENOMEM, () -> array(8, -1)); // 2^32 entries of 8 bytes: more than this machine has
    }

    @Test
    void entriesAlwaysExistAndUpdateFlagsFollowTheKernel() {
        try (MapBackend m = array(8, 4)) {
            MemorySegment out = Mem.alloc(8);
            assertTrue(m.lookup(u32(3), out), "every index exists from the start");
            assertEquals(0, u64(out));
            assertFalse(m.lookup(u32(4), out), "past max_entries there is nothing");

            m.update(u32(1), Mem.u64(42), MapFlags.ANY);
            m.update(u32(1), Mem.u64(43), MapFlags.EXIST);
            m.lookup(u32(1), out);
            assertEquals(43, u64(out));

            assertErrno(Errno.EEXIST, () -> m.update(u32(1), Mem.u64(1), MapFlags.NOEXIST));
            assertErrno(Errno.E2BIG, () -> m.update(u32(4), Mem.u64(1), MapFlags.ANY));
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), Mem.u64(1), 8));
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), Mem.u64(1), MapFlags.F_LOCK)); // no bpf_spin_lock in the value
            assertEquals(-1, m.spinLockOffset());
            assertErrno(Errno.EINVAL, () -> m.delete(u32(1)));
            assertErrno(Errno.ENOTSUPP, () -> m.lookupAndDelete(u32(1), out));
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), Mem.alloc(4), MapFlags.ANY)); // value too short
        }
    }

    @Test
    void nextKeyWalksIndexesAndRestartsFromZeroForAMissingKey() {
        try (MapBackend m = array(8, 3)) {
            MemorySegment next = Mem.alloc(4);
            assertTrue(m.nextKey(null, next));
            assertEquals(0, u32(next));
            assertTrue(m.nextKey(u32(0), next));
            assertEquals(1, u32(next));
            assertTrue(m.nextKey(u32(1), next));
            assertEquals(2, u32(next));
            assertFalse(m.nextKey(u32(2), next), "the last index has no next");
            assertTrue(m.nextKey(u32(77), next));
            assertEquals(0, u32(next), "an index out of range restarts");
        }
    }

    @Test
    void programsSeeValuesInPlaceAtStableAddresses() {
        try (MapBackend m = array(12, 5)) {
            long v2 = m.lookup(u32(2).address());
            assertEquals(m.data() + 2 * 16, v2, "values are 8-byte rounded and contiguous from data()");
            assertEquals(0, m.lookup(u32(5).address()));
            assertEquals(0, m.lookup(u32(-1).address()));

            Mem.putU64At(v2, 7);
            MemorySegment out = Mem.alloc(12);
            m.lookup(u32(2), out);
            assertEquals(7, u64(out), "a program's store is what Java reads");

            assertEquals(0, m.update(u32(2).address(), Mem.u64s(9, 0).address(), MapFlags.ANY));
            assertEquals(9, Mem.u64At(v2), "an update writes in place");
            assertRc(Errno.EEXIST, m.update(u32(2).address(), Mem.u64s(9, 0).address(), MapFlags.NOEXIST));
            assertRc(Errno.E2BIG, m.update(u32(5).address(), Mem.u64s(9, 0).address(), MapFlags.ANY));
            assertRc(Errno.EINVAL, m.delete(u32(2).address()));
        }
    }

    @Test
    void valueSegmentGivesJavaTheValueInPlaceAndOnlyReadsAfterFreeze() {
        try (MapBackend m = array(8, 2)) {
            MemorySegment v = m.valueSegment(u32(1)).orElseThrow();
            v.set(ValueLayout.JAVA_LONG, 0, 5);
            assertEquals(5, Mem.u64At(m.lookup(u32(1).address())));
            assertTrue(m.valueSegment(u32(2)).isEmpty());
            m.freeze();
            assertTrue(m.valueSegment(u32(1)).orElseThrow().isReadOnly(), "a frozen map's values may be constants to the verifier");
        }
    }

    @Test
    void readOnlyForProgramsMeansProgramsNeverWrite() {
        try (MapBackend m = provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withFlags(MapFlags.RDONLY_PROG), ctx)) {
            m.update(u32(0), Mem.u64(1), MapFlags.ANY);
            assertRc(Errno.EACCES, m.update(u32(0).address(), Mem.u64(2).address(), MapFlags.ANY));
            assertEquals(1, Mem.u64At(m.lookup(u32(0).address())));
        }
    }

    @Test
    void inlineLookupComputesWhatLookupReturns() {
        for (int[] shape : new int[][] {{8, 5}, {12, 7}, {24, 4}, {4, 1}, {100, 33}}) {
            try (MapBackend m = array(shape[0], shape[1])) {
                List<Insn> insns = m.inlineLookup().orElseThrow();
                long header = mapHeader(m);
                for (int index : new int[] {0, 1, shape[1] - 1, shape[1], shape[1] + 1, 64, -1, Integer.MIN_VALUE}) {
                    MemorySegment key = u32(index);
                    assertEquals(m.lookup(key.address()), InsnEval.run(insns, header, key.address()),
                            "index " + index + " of a " + shape[1] + "-entry array of " + shape[0] + "-byte values");
                }
            }
        }
    }

    @Test
    void inlineLookupIsTheKernelSequenceWithTheIndexMask() {
        try (MapBackend m = array(24, 5)) {
            assertEquals(List.of(
                    Insn.ldx(0x18, 1, 1, 24),
                    Insn.ldx(0x00, 0, 2, 0),
                    new Insn(0x06 | 0x30, 0, 0, 4, 5),
                    Insn.alu32Imm(0x50, 0, 7),
                    Insn.alu64Imm(0x20, 0, 24),
                    Insn.alu64Reg(0x00, 0, 1),
                    Insn.ja(1),
                    Insn.mov64Imm(0, 0)), m.inlineLookup().orElseThrow());
        }
        try (MapBackend m = provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withFlags(MapFlags.INNER_MAP), ctx)) {
            assertTrue(m.inlineLookup().isEmpty(), "inner maps may be swapped, so their lookups cannot be inlined");
        }
    }

    /** The 32-byte map header core writes, with the {@code data} word programs read. */
    private static long mapHeader(MapBackend m) {
        MemorySegment h = Mem.alloc(32);
        h.set(ValueLayout.JAVA_LONG, 24, m.data());
        return h.address();
    }

    @Test
    void perCpuArraysKeepOneValuePerCpu() {
        try (MapBackend m = provider.create(MapSpec.of(MapType.PERCPU_ARRAY, 4, 4, 2), ctx)) {
            ctx.onCpu(2);
            long mine = m.lookup(u32(1).address());
            assertEquals(0, m.update(u32(1).address(), u32(0x22).address(), MapFlags.ANY));
            assertEquals(0x22, Mem.u32At(mine));
            ctx.onCpu(3);
            assertNotEquals(mine, m.lookup(u32(1).address()), "another CPU has its own value");
            assertEquals(m.lookupPercpu(u32(1).address(), 2), mine);
            assertEquals(0, m.lookupPercpu(u32(1).address(), 4));

            // Java sees every CPU's value, each in 8 bytes
            MemorySegment all = Mem.alloc(4 * 8);
            assertTrue(m.lookup(u32(1), all));
            assertArrayEquals(new long[] {0, 0, 0x22, 0}, all.toArray(ValueLayout.JAVA_LONG));

            m.update(u32(0), Mem.u64s(1, 2, 3, 4), MapFlags.ANY);
            for (int cpu = 0; cpu < 4; cpu++) {
                assertEquals(cpu + 1, Mem.u32At(m.lookupPercpu(u32(0).address(), cpu)));
            }
            assertEquals(0, m.data(), "per-CPU values have no single address for direct access");
            assertTrue(m.inlineLookup().isEmpty());
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), Mem.u64s(1, 2, 3, 4), MapFlags.F_LOCK));
        } finally {
            ctx.onCpu(0);
        }
    }

    /** {@code struct v { u64 counter; struct bpf_spin_lock lock; u32 pad; }}. */
    private static MapSpec lockedArray() {
        Btf btf = new Btf(List.of(new BtfType.Void(),
                new BtfType.Int("unsigned int", 4, 0, 0, 32),
                new BtfType.Struct("bpf_spin_lock", 4, List.of(new BtfType.Member("val", 1, 0, 0))),
                new BtfType.Int("unsigned long long", 8, 0, 0, 64),
                new BtfType.Struct("v", 16, List.of(new BtfType.Member("counter", 3, 0, 0),
                        new BtfType.Member("lock", 2, 64, 0), new BtfType.Member("pad", 1, 96, 0)))));
        return MapSpec.of(MapType.ARRAY, 4, 16, 1).withBtf(btf, 1, 4);
    }

    @Test
    void spinLockWordIsNeitherCopiedInNorShownAndFLockWaitsForTheLock() throws Exception {
        try (MapBackend m = provider.create(lockedArray(), ctx)) {
            assertEquals(8, m.spinLockOffset(), "found in the value's BTF");
            long value = m.lookup(u32(0).address());
            long lock = value + 8;
            BpfSpinLock.lock(lock); // a program holds the lock
            MemorySegment update = Mem.u64s(99, 0xffff_ffff_ffff_ffffL);
            CountDownLatch done = new CountDownLatch(1);
            Thread java = Thread.ofPlatform().start(() -> {
                m.update(u32(0), update, MapFlags.F_LOCK);
                done.countDown();
            });
            assertFalse(done.await(100, TimeUnit.MILLISECONDS), "BPF_F_LOCK waits while a program holds the lock");
            BpfSpinLock.unlock(lock);
            assertTrue(done.await(5, TimeUnit.SECONDS));
            java.join();

            assertEquals(99, Mem.u64At(value));
            assertEquals(0, Mem.u32At(lock), "the lock word is the map's, never the caller's");
            assertEquals(-1, Mem.u32At(value + 12));
            BpfSpinLock.lock(lock);
            MemorySegment out = Mem.alloc(16);
            m.lookup(u32(0), out);
            assertEquals(0, out.get(ValueLayout.JAVA_INT, 8), "Java reads the lock word as zero");
            BpfSpinLock.unlock(lock);
        }
    }

    @Test
    void spinLocksAreRefusedWhereTheKernelRefusesThem() {
        MapSpec locked = lockedArray();
        assertErrno(Errno.EACCES, () -> provider.create(locked.withFlags(MapFlags.RDONLY_PROG), ctx));
        MapSpec percpu = new MapSpec(MapType.PERCPU_ARRAY, "", 4, 16, 1, 0, locked.btf(), 1, 4, 0);
        assertErrno(Errno.EOPNOTSUPP, () -> provider.create(percpu, ctx));
        MapSpec wrongSize = new MapSpec(MapType.ARRAY, "", 4, 24, 1, 0, locked.btf(), 1, 4, 0);
        assertErrno(Errno.EINVAL, () -> provider.create(wrongSize, ctx));
    }

    @Test
    void mmapableValuesStartOnAPage() {
        try (MapBackend m = provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 3).withFlags(MapFlags.MMAPABLE), ctx)) {
            assertEquals(0, m.data() % 4096);
        }
    }

    @Test
    void closedMapsRefuseJavaAccessInsteadOfCrashing() {
        MapBackend m = array(8, 2);
        MemorySegment v = m.valueSegment(u32(0)).orElseThrow();
        m.close();
        assertThrows(IllegalStateException.class, () -> v.get(ValueLayout.JAVA_LONG, 0));
    }
}
