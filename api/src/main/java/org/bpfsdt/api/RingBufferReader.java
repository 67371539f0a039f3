package org.bpfsdt.api;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * The Java consumer of a {@link MapType#RINGBUF} map, as libbpf's {@code ring_buffer__consume}
 * and {@code ring_buffer__poll}: records come out in the order their space was reserved, each
 * once; discarded records are skipped. Readers of one ring take turns, so several may exist.
 */
public interface RingBufferReader extends AutoCloseable {

    /** Receives one record. */
    @FunctionalInterface
    interface RecordHandler {
        /**
         * {@code data} is a read-only view of the record's bytes in the ring, valid only during the
         * call: copy what must outlive it. An exception stops consumption after this record and
         * propagates to the caller.
         */
        void onRecord(MemorySegment data);
    }

    /** Hands every committed record available now to {@code handler} without waiting; returns how many. */
    int consume(RecordHandler handler);

    /**
     * Like {@link #consume}, but when nothing is available first waits up to {@code timeout} for
     * a producer's wake-up (a commit the reader was waiting for, unless it said
     * {@code BPF_RB_NO_WAKEUP}; any commit with {@code BPF_RB_FORCE_WAKEUP}), as libbpf's
     * {@code ring_buffer__poll}. Returns how many records were handled: 0 on timeout, when the
     * wake-up found nothing committed, or when this reader was closed meanwhile.
     */
    int poll(RecordHandler handler, Duration timeout) throws InterruptedException;

    /** Bytes produced and not yet consumed ({@code BPF_RB_AVAIL_DATA}). */
    long availableBytes();

    /** The ring's data size in bytes ({@code BPF_RB_RING_SIZE}). */
    long ringSize();

    /** Stops this reader; a blocked {@link #poll} returns. Records stay in the ring for other readers. */
    @Override
    void close();
}
