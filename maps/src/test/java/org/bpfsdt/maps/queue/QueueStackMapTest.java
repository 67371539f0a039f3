package org.bpfsdt.maps.queue;

import static org.bpfsdt.maps.Errors.assertErrno;
import static org.bpfsdt.maps.Errors.assertRc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

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

class QueueStackMapTest {
    private final TestContext ctx = new TestContext();
    private final StandardMapProvider provider = new StandardMapProvider();

    @AfterEach
    void noNativeMemoryLeft() {
        assertEquals(0, provider.memory().bytes());
    }

    private MapBackend create(MapType type, int maxEntries) {
        return provider.create(MapSpec.of(type, 0, 4, maxEntries), ctx);
    }

    private static List<Integer> drain(MapBackend m) {
        List<Integer> out = new ArrayList<>();
        MemorySegment v = Mem.alloc(4);
        while (m.lookupAndDelete(null, v)) {
            out.add(Mem.u32(v));
        }
        return out;
    }

    @Test
    void createChecksFollowQueueStackMapAllocCheck() {
        assertErrno(Errno.EINVAL, () -> create(MapType.QUEUE, 0));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.QUEUE, 4, 4, 1), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.STACK, 0, 0, 1), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.STACK, 0, 4, 1).withFlags(MapFlags.NO_PREALLOC), ctx));
        assertErrno(Errno.E2BIG, () -> provider.create(MapSpec.of(MapType.QUEUE, 0, (4 << 20) + 1, 1), ctx));
    }

    @Test
    void queuesAreFifoAndStacksLifo() {
        try (MapBackend q = create(MapType.QUEUE, 3); MapBackend s = create(MapType.STACK, 3)) {
            for (int v = 1; v <= 3; v++) {
                q.update(null, Mem.u32(v), MapFlags.ANY);
                s.update(null, Mem.u32(v), MapFlags.ANY);
            }
            MemorySegment peek = Mem.alloc(4);
            q.lookup(null, peek);
            assertEquals(1, Mem.u32(peek), "a queue peeks at its oldest value");
            s.lookup(null, peek);
            assertEquals(3, Mem.u32(peek), "a stack peeks at its newest value");
            assertEquals(List.of(1, 2, 3), drain(q));
            assertEquals(List.of(3, 2, 1), drain(s));
            assertFalse(q.lookup(null, peek), "an empty queue has nothing to peek (ENOENT)");
        }
    }

    @Test
    void pushingIntoAFullMapFailsUnlessBpfExistOverwritesTheOldest() {
        for (MapType type : new MapType[] {MapType.QUEUE, MapType.STACK}) {
            try (MapBackend m = create(type, 2)) {
                m.update(null, Mem.u32(1), MapFlags.ANY);
                m.update(null, Mem.u32(2), MapFlags.ANY);
                assertErrno(Errno.E2BIG, () -> m.update(null, Mem.u32(3), MapFlags.ANY));
                assertErrno(Errno.EINVAL, () -> m.update(null, Mem.u32(3), MapFlags.NOEXIST));
                assertErrno(Errno.EINVAL, () -> m.update(null, Mem.u32(3), MapFlags.F_LOCK));
                m.update(null, Mem.u32(3), MapFlags.EXIST);
                assertEquals(type == MapType.QUEUE ? List.of(2, 3) : List.of(3, 2), drain(m), type + ": 1 was the oldest");
            }
        }
    }

    @Test
    void programsPushPopAndPeekThroughTheirOwnBuffers() {
        try (MapBackend m = create(MapType.STACK, 2)) {
            MemorySegment buf = Mem.alloc(4);
            assertRc(Errno.ENOENT, m.pop(buf.address()));
            assertRc(Errno.ENOENT, m.peek(buf.address()));
            assertEquals(0, m.push(Mem.u32(7).address(), MapFlags.ANY));
            assertEquals(0, m.push(Mem.u32(8).address(), MapFlags.ANY));
            assertRc(Errno.E2BIG, m.push(Mem.u32(9).address(), MapFlags.ANY));
            assertEquals(0, m.peek(buf.address()));
            assertEquals(8, Mem.u32(buf));
            assertEquals(0, m.pop(buf.address()));
            assertEquals(8, Mem.u32(buf));
            assertEquals(0, m.lookup(buf.address()), "no value address ever leaves the map");
            assertRc(Errno.EINVAL, m.update(0, buf.address(), MapFlags.ANY));
            assertRc(Errno.EINVAL, m.delete(0));
        }
    }

    @Test
    void keyedOperationsDoNotExist() {
        try (MapBackend m = create(MapType.QUEUE, 1)) {
            assertErrno(Errno.EINVAL, () -> m.delete(null));
            assertErrno(Errno.EINVAL, () -> m.nextKey(null, Mem.alloc(4)));
            assertErrno(Errno.EINVAL, () -> m.update(Mem.u32(0), Mem.u32(1), MapFlags.ANY), "a key where there are none");
        }
    }

    @Test
    void aWrappingRingKeepsOrderOverManyRounds() {
        try (MapBackend q = create(MapType.QUEUE, 5)) {
            int next = 0;
            int expect = 0;
            MemorySegment v = Mem.alloc(4);
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < 3; i++) {
                    q.update(null, Mem.u32(next++), MapFlags.ANY);
                }
                for (int i = 0; i < 3; i++) {
                    q.lookupAndDelete(null, v);
                    assertEquals(expect++, Mem.u32(v));
                }
            }
        }
    }
}
