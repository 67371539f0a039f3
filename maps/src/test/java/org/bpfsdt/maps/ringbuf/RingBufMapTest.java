package org.bpfsdt.maps.ringbuf;

import static org.bpfsdt.maps.Errors.assertErrno;
import static org.bpfsdt.maps.Errors.assertRc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.RingBufferReader;
import org.bpfsdt.api.spi.RingBufBackend;
import org.bpfsdt.maps.Mem;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.maps.TestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RingBufMapTest {
    private static final long RB_NO_WAKEUP = RingBufBackend.RB_NO_WAKEUP, RB_FORCE_WAKEUP = RingBufBackend.RB_FORCE_WAKEUP;

    private final TestContext ctx = new TestContext();
    private final StandardMapProvider provider = new StandardMapProvider();

    @AfterEach
    void noNativeMemoryLeft() {
        assertEquals(0, provider.memory().bytes());
    }

    private RingBufBackend ring(int size) {
        return assertInstanceOf(RingBufBackend.class, provider.create(MapSpec.of(MapType.RINGBUF, 0, 0, size), ctx));
    }

    /** Reserves {@code size} bytes, fills them with {@code fill} and returns the sample address. */
    private static long reserveFilled(RingBufBackend rb, int size, int fill) {
        long sample = rb.reserve(size, 0);
        assertNotEquals(0, sample, "reserve " + size);
        MemorySegment.ofAddress(sample).reinterpret(size).fill((byte) fill);
        return sample;
    }

    private static List<byte[]> consumeAll(RingBufferReader r) {
        List<byte[]> out = new ArrayList<>();
        r.consume(rec -> out.add(rec.toArray(ValueLayout.JAVA_BYTE)));
        return out;
    }

    @Test
    void createChecksFollowRingbufMapAlloc() {
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.RINGBUF, 4, 0, 4096), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.RINGBUF, 0, 4, 4096), ctx));
        assertErrno(Errno.EINVAL, () -> ring(4096 * 3), "a power of two");
        assertErrno(Errno.EINVAL, () -> ring(2048), "a multiple of the page size");
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.RINGBUF, 0, 0, 4096).withFlags(MapFlags.RDONLY), ctx));
        provider.create(MapSpec.of(MapType.RINGBUF, 0, 0, 4096).withFlags(MapFlags.NUMA_NODE), ctx).close();
    }

    @Test
    void recordsHaveTheKernelsHeaderAndLeadBackToTheirRing() {
        try (RingBufBackend rb = ring(4096)) {
            rb.setMapId(42);
            long sample = reserveFilled(rb, 13, 0x5a);
            long header = sample - RingBufBackend.HDR_SIZE;
            assertEquals(13 | RingBufBackend.BUSY_BIT, Mem.u32At(header), "a reserved record is busy");
            assertEquals(42, RingBufBackend.mapIdOf(sample), "bpf_ringbuf_submit finds the ring from the sample alone");
            assertEquals(24, rb.query(RingBufBackend.RB_PROD_POS), "8-byte header plus 13 bytes, rounded to 8");
            assertEquals(0, rb.query(RingBufBackend.RB_CONS_POS));
            assertEquals(24, rb.query(RingBufBackend.RB_AVAIL_DATA));
            assertEquals(4096, rb.query(RingBufBackend.RB_RING_SIZE));
            assertEquals(0, rb.query(99));

            assertEquals(0, rb.submit(sample, 0));
            assertEquals(13, Mem.u32At(header), "committed: busy bit cleared");
            assertRc(Errno.EINVAL, rb.submit(sample, 0));
            assertRc(Errno.EINVAL, rb.submit(sample + 4096 * 4, 0));

            try (RingBufferReader r = rb.reader()) {
                List<byte[]> records = consumeAll(r);
                assertEquals(1, records.size());
                byte[] expected = new byte[13];
                java.util.Arrays.fill(expected, (byte) 0x5a);
                assertArrayEquals(expected, records.get(0));
                assertEquals(24, rb.query(RingBufBackend.RB_CONS_POS));
                assertEquals(0, r.availableBytes());
                assertEquals(4096, r.ringSize());
            }
        }
    }

    @Test
    void discardedRecordsAreSkippedAndBusyOnesHoldBackLaterOnes() {
        try (RingBufBackend rb = ring(4096); RingBufferReader r = rb.reader()) {
            long a = reserveFilled(rb, 8, 1);
            long b = reserveFilled(rb, 8, 2);
            long c = reserveFilled(rb, 8, 3);
            rb.discard(b, 0);
            assertEquals(8 | RingBufBackend.DISCARD_BIT, Mem.u32At(b - 8));
            rb.submit(c, 0);
            assertEquals(0, consumeAll(r).size(), "the oldest record is still busy");
            rb.submit(a, 0);
            List<byte[]> got = consumeAll(r);
            assertEquals(2, got.size());
            assertEquals(1, got.get(0)[0]);
            assertEquals(3, got.get(1)[0]);
        }
    }

    @Test
    void reserveAndOutputFailWhenThereIsNoRoom() {
        try (RingBufBackend rb = ring(4096); RingBufferReader r = rb.reader()) {
            assertEquals(0, rb.reserve(8, 1), "reserve takes no flags");
            assertEquals(0, rb.reserve(4096, 0), "a record with its header must fit");
            assertEquals(0, rb.reserve(-1, 0));
            long big = rb.reserve(4096 - 16, 0);
            assertNotEquals(0, big);
            assertEquals(0, rb.reserve(1, 0), "the ring keeps one 8-byte slot free, as the kernel's");
            assertRc(Errno.EAGAIN, rb.output(Mem.u64(1).address(), 8, 0));
            assertRc(Errno.EINVAL, rb.output(Mem.u64(1).address(), 8, 4));
            rb.submit(big, 0);
            assertEquals(1, consumeAll(r).size());
            assertEquals(0, rb.output(Mem.u64(0x1122).address(), 8, 0));
            List<byte[]> got = consumeAll(r);
            assertEquals(0x22, got.get(0)[0]);
        }
    }

    @Test
    void recordsThatWrapAroundTheEndAreContiguous() {
        try (RingBufBackend rb = ring(4096); RingBufferReader r = rb.reader()) {
            for (int round = 0; round < 50; round++) {
                int size = 1000 + round * 7;
                long sample = reserveFilled(rb, size, 0);
                MemorySegment s = MemorySegment.ofAddress(sample).reinterpret(size);
                for (int i = 0; i < size; i++) {
                    s.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + round));
                }
                rb.submit(sample, 0);
                int expectRound = round;
                int n = r.consume(rec -> {
                    assertEquals(size, rec.byteSize());
                    for (int i = 0; i < size; i++) {
                        assertEquals((byte) (i * 31 + expectRound), rec.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
                    }
                    assertTrue(rec.isReadOnly());
                });
                assertEquals(1, n);
            }
            assertTrue(rb.query(RingBufBackend.RB_PROD_POS) > 3 * 4096, "positions grow past the ring size");
        }
    }

    @Test
    void aFailingHandlerStopsAfterItsRecord() {
        try (RingBufBackend rb = ring(4096); RingBufferReader r = rb.reader()) {
            for (int i = 0; i < 3; i++) {
                rb.output(Mem.u64(i).address(), 8, 0);
            }
            assertThrows(IllegalStateException.class, () -> r.consume(rec -> {
                throw new IllegalStateException("stop");
            }));
            assertEquals(2, consumeAll(r).size(), "the failed record counts as consumed");
        }
    }

    /** A poll on a thread of its own, which the constructor returns from only once the reader sleeps in it (or is done). */
    private static final class Poller {
        final CompletableFuture<Integer> result = new CompletableFuture<>();
        /** How long the poll took, set before {@link #result} completes. */
        volatile long nanos;

        Poller(RingBufferReader r, Duration timeout) {
            Thread t = Thread.ofPlatform().start(() -> {
                long start = System.nanoTime();
                try {
                    int n = r.poll(rec -> { }, timeout);
                    nanos = System.nanoTime() - start;
                    result.complete(n);
                } catch (Throwable e) {
                    nanos = System.nanoTime() - start;
                    result.completeExceptionally(e);
                }
            });
            // however loaded the machine, what the test does next happens while the reader waits (a timed wait)
            while (t.getState() != Thread.State.TIMED_WAITING && !result.isDone()) {
                Thread.yield();
            }
        }

        int get() throws Exception {
            return result.get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void pollBlocksUntilASubmitWakesIt() throws Exception {
        try (RingBufBackend rb = ring(4096); RingBufferReader r = rb.reader()) {
            Poller p = new Poller(r, Duration.ofMinutes(1));
            rb.output(Mem.u64(7).address(), 8, 0);
            assertEquals(1, p.get());
            assertTrue(p.nanos < TimeUnit.SECONDS.toNanos(30), "woken by the submit, not by the timeout");
        }
    }

    @Test
    void noWakeupLeavesTheReaderAsleepAndForceWakeupWakesItAnyway() throws Exception {
        try (RingBufBackend rb = ring(4096); RingBufferReader r = rb.reader()) {
            Poller p = new Poller(r, Duration.ofMillis(300));
            rb.output(Mem.u64(7).address(), 8, RB_NO_WAKEUP);
            assertEquals(1, p.get(), "it consumes the record once the timeout wakes it");
            assertTrue(p.nanos >= TimeUnit.MILLISECONDS.toNanos(300), "the reader slept until its timeout");

            // a busy record ahead: committing the one behind it would not wake the reader, unless forced
            long busy = rb.reserve(8, 0);
            long behind = rb.reserve(8, 0);
            p = new Poller(r, Duration.ofMinutes(1));
            rb.submit(behind, RB_FORCE_WAKEUP);
            assertEquals(0, p.get(), "woken, but the oldest record is still busy");
            assertTrue(p.nanos < TimeUnit.SECONDS.toNanos(30), "woken by the forced wakeup, not by the timeout");
            rb.submit(busy, 0);
            assertEquals(2, consumeAll(r).size());
        }
    }

    @Test
    void closingTheReaderOrTheMapEndsABlockedPoll() throws Exception {
        RingBufBackend rb = ring(4096);
        RingBufferReader r = rb.reader();
        Poller p = new Poller(r, Duration.ofMinutes(1));
        r.close();
        assertEquals(0, p.get());
        assertErrno(Errno.EBADF, () -> r.consume(rec -> { }));

        RingBufferReader r2 = rb.reader();
        Poller p2 = new Poller(r2, Duration.ofMinutes(1));
        rb.close();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, p2::get);
        assertInstanceOf(org.bpfsdt.api.BpfException.class, e.getCause());
        assertErrno(Errno.EBADF, rb::reader);
    }

    @Test
    void manyProducersOneConsumerEveryRecordOnceInEachProducersOrder() throws Exception {
        int producers = 3;
        int perProducer = 20_000;
        try (RingBufBackend rb = ring(4096 * 4); RingBufferReader r = rb.reader()) {
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int seq = 0; seq < perProducer; seq++) {
                        int size = 16 + (seq % 7) * 8;
                        long sample;
                        while ((sample = rb.reserve(size, 0)) == 0) {
                            Thread.onSpinWait(); // full: the consumer catches up
                        }
                        MemorySegment s = MemorySegment.ofAddress(sample).reinterpret(size);
                        s.set(ValueLayout.JAVA_INT, 0, id);
                        s.set(ValueLayout.JAVA_INT, 4, seq);
                        s.set(ValueLayout.JAVA_LONG, size - 8, (long) id << 32 | seq);
                        rb.submit(sample, seq % 2 == 0 ? 0 : RB_NO_WAKEUP);
                    }
                }));
            }
            int[] next = new int[producers];
            int received = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received < producers * perProducer && System.nanoTime() < deadline) {
                received += r.poll(rec -> {
                    int id = rec.get(ValueLayout.JAVA_INT, 0);
                    int seq = rec.get(ValueLayout.JAVA_INT, 4);
                    assertEquals(next[id]++, seq, "producer " + id + " out of order");
                    assertEquals((long) id << 32 | seq, rec.get(ValueLayout.JAVA_LONG, rec.byteSize() - 8), "torn record");
                }, Duration.ofMillis(50));
            }
            for (Thread t : threads) {
                t.join();
            }
            received += r.consume(rec -> next[rec.get(ValueLayout.JAVA_INT, 0)]++);
            assertEquals(producers * perProducer, received);
            for (int p = 0; p < producers; p++) {
                assertEquals(perProducer, next[p]);
            }
            assertEquals(0, r.availableBytes());
        }
    }

    @Test
    void keyedOperationsDoNotExist() {
        try (RingBufBackend rb = ring(4096)) {
            assertErrno(Errno.EINVAL, () -> rb.lookup(Mem.alloc(4), Mem.alloc(4)));
            assertErrno(Errno.EINVAL, () -> rb.update(Mem.alloc(4), Mem.alloc(4), 0));
            assertErrno(Errno.EINVAL, () -> rb.delete(Mem.alloc(4)));
            assertErrno(Errno.ENOTSUPP, () -> rb.nextKey(null, Mem.alloc(4)));
            assertErrno(Errno.ENOTSUPP, () -> rb.lookup(null, Mem.alloc(4)), "without a key: the kernel's ringbuf ops refuse");
            assertEquals(0, rb.lookup(Mem.alloc(4).address()));
        }
    }
}
