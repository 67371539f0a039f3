package org.bpfsdt.maps.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.maps.Mem;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.maps.TestContext;
import org.junit.jupiter.api.Test;

/** Writers reshape the trie while programs walk it and read the values they matched. */
class LpmConcurrencyTest {

    /** Prefix {@code id} is 10.x.y.0/len with x, y and len derived from id; its value is id. */
    private static MemorySegment prefix(int id) {
        MemorySegment k = Mem.alloc(8);
        k.set(ValueLayout.JAVA_INT, 0, 8 + id % 17);
        k.set(ValueLayout.JAVA_BYTE, 4, (byte) 10);
        k.set(ValueLayout.JAVA_BYTE, 5, (byte) (id * 37));
        k.set(ValueLayout.JAVA_BYTE, 6, (byte) (id * 11));
        return k;
    }

    @Test
    void programsReadTheValueOfThePrefixTheyMatchedUntilTheirRunEnds() throws Exception {
        TestContext ctx = new TestContext(2);
        StandardMapProvider provider = new StandardMapProvider();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MapBackend m = provider.create(MapSpec.of(MapType.LPM_TRIE, 8, 8, 64).withFlags(MapFlags.NO_PREALLOC), ctx)) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                writers.add(Thread.ofPlatform().start(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < 30_000 && failure.get() == null; i++) {
                        int id = rnd.nextInt(100);
                        if (rnd.nextBoolean()) {
                            m.update(prefix(id).address(), Mem.u64(id).address(), MapFlags.ANY);
                        } else {
                            m.delete(prefix(id).address());
                        }
                    }
                }));
            }
            Thread reader = Thread.ofPlatform().start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                MemorySegment address = Mem.alloc(8);
                while (writers.stream().anyMatch(Thread::isAlive)) {
                    try (TestContext.Run run = ctx.enterRun()) {
                        address.set(ValueLayout.JAVA_INT, 0, 32);
                        address.set(ValueLayout.JAVA_INT, 4, rnd.nextInt());
                        address.set(ValueLayout.JAVA_BYTE, 4, (byte) 10);
                        long v = m.lookup(address.address());
                        if (v == 0) {
                            continue;
                        }
                        long id = Mem.u64At(v);
                        for (int i = 0; i < 50; i++) {
                            if (Mem.u64At(v) != id) {
                                failure.compareAndSet(null, new AssertionError("matched value changed from " + id + " to " + Mem.u64At(v)));
                            }
                        }
                    }
                }
            });
            for (Thread t : writers) {
                t.join();
            }
            reader.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            // every prefix that iteration finds is found by an exact-length lookup with its own value
            for (String c : LpmTrieMapTest.iterate(m)) {
                MemorySegment out = Mem.alloc(8);
                assertEquals(true, m.lookup(LpmTrieMapTest.cidr(c), out), c);
            }
        }
        assertEquals(0, provider.memory().bytes());
    }
}
