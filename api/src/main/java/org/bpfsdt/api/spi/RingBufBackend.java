package org.bpfsdt.api.spi;

import java.lang.foreign.ValueLayout;

import org.bpfsdt.api.RingBufferReader;

/**
 * A RINGBUF map ({@code kernel/bpf/ringbuf.c}). Its data area is mapped twice back to back, so a
 * record that wraps around the end is contiguous for programs and readers. A record is an
 * 8-byte header {@code u32 len; u32 pg_off;} followed by the sample, padded to 8 bytes; while
 * reserved, {@code len} has {@link #BUSY_BIT}, and a discarded record has {@link #DISCARD_BIT}.
 * {@code pg_off} counts {@value #PG_OFF_UNIT}-byte units from the ring's control page to the
 * header's unit, so a sample address alone leads back to its ring ({@link #mapIdOf}), as
 * {@code bpf_ringbuf_submit} needs.
 */
public interface RingBufBackend extends MapBackend {
    int HDR_SIZE = 8;
    int BUSY_BIT = 1 << 31;
    int DISCARD_BIT = 1 << 30;
    /** Unit of {@code pg_off}. */
    int PG_OFF_UNIT = 4096;
    /** Offset in the control page of the {@code u32} map id the runtime gave with {@link #setMapId}. */
    int CONTROL_MAP_ID = 0;

    /** Submit/output flags. */
    long RB_NO_WAKEUP = 1, RB_FORCE_WAKEUP = 2;
    /** {@code bpf_ringbuf_query} flags. */
    long RB_AVAIL_DATA = 0, RB_RING_SIZE = 1, RB_CONS_POS = 2, RB_PROD_POS = 3;

    /** {@code bpf_ringbuf_reserve}: the sample's address, or 0 when there is no room (or {@code flags} is not 0). */
    long reserve(long size, long flags);

    /** {@code bpf_ringbuf_submit}: commits a sample of this ring; 0, or {@code -EINVAL} for an address that is not one. */
    long submit(long sample, long flags);

    /** {@code bpf_ringbuf_discard}: drops a sample of this ring; 0, or {@code -EINVAL}. */
    long discard(long sample, long flags);

    /** {@code bpf_ringbuf_output}: copies {@code size} bytes at {@code data} as one record; 0, {@code -EAGAIN} when full, {@code -EINVAL} for bad flags. */
    long output(long data, long size, long flags);

    /** {@code bpf_ringbuf_query}. */
    long query(long flags);

    /** A new consumer of this ring's records. */
    RingBufferReader reader();

    /** Records the map's runtime id in the control page, where {@link #mapIdOf} finds it. */
    void setMapId(int id);

    /**
     * The map id of the ring that {@code sample} (an address {@link #reserve} returned) belongs
     * to: {@code bpf_ringbuf_submit(sample)} has no map argument, so the runtime finds the ring
     * this way, as the kernel's {@code bpf_ringbuf_restore_from_rec}. Only for valid samples.
     */
    static int mapIdOf(long sample) {
        long header = sample - HDR_SIZE;
        long pgOff = Integer.toUnsignedLong(NativeView.ALL.get(ValueLayout.JAVA_INT, header + 4));
        long control = (header & -(long) PG_OFF_UNIT) - pgOff * PG_OFF_UNIT;
        return NativeView.ALL.get(ValueLayout.JAVA_INT, control + CONTROL_MAP_ID);
    }
}
