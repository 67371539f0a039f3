package org.bpfsdt.maps.ringbuf;

import static org.bpfsdt.api.MapFlags.NUMA_NODE;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.RingBufferReader;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.api.spi.RingBufBackend;
import org.bpfsdt.maps.support.AbstractMap;
import org.bpfsdt.maps.support.CreateChecks;
import org.bpfsdt.maps.support.MapMemory;
import org.bpfsdt.maps.support.MemoryAccounting;
import org.bpfsdt.maps.support.Native;

/**
 * {@code BPF_MAP_TYPE_RINGBUF} ({@code kernel/bpf/ringbuf.c}): a multi-producer, single-consumer
 * ring of variable-size records. Producers reserve space in order under a short lock, fill it,
 * and commit by clearing the record's busy bit; the consumer reads committed records in
 * reservation order and stops at the first one still busy. The data pages are mapped twice in a
 * row, so every record is contiguous. Memory layout: one control page (the map id the runtime
 * assigned, see {@link RingBufBackend#mapIdOf}), then the data twice.
 *
 * <p>Wake-ups follow the kernel: a commit wakes a blocked reader when the reader has caught up
 * with exactly this record, always with {@code BPF_RB_FORCE_WAKEUP}, never with
 * {@code BPF_RB_NO_WAKEUP}.
 */
public final class RingBufMap extends AbstractMap implements RingBufBackend {
    /** {@code RINGBUF_CREATE_FLAG_MASK}. */
    static final int CREATE_FLAG_MASK = NUMA_NODE;
    /** {@code RINGBUF_MAX_RECORD_SZ}. */
    static final long MAX_RECORD = 0xffffffffL / 4;

    private static final VarHandle CONSUMER_POS;
    private static final VarHandle PRODUCER_POS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CONSUMER_POS = l.findVarHandle(RingBufMap.class, "consumerPos", long.class);
            PRODUCER_POS = l.findVarHandle(RingBufMap.class, "producerPos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long ringSize;
    private final long mask;
    private final MemorySegment region;
    private final long control;
    private final long data;
    private final Object producerLock = new Object();
    /** Consumers take turns; closing the map waits for the one reading. */
    private final ReentrantLock consumerLock = new ReentrantLock();
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition committed = waitLock.newCondition();
    @SuppressWarnings("unused") // through CONSUMER_POS
    private long consumerPos;
    @SuppressWarnings("unused") // through PRODUCER_POS
    private long producerPos;
    /** Oldest record that may still be busy; guarded by producerLock. */
    private long pendingPos;
    /** Readers blocked in poll; changed under waitLock, read by producers without it. */
    private volatile int waiters;
    private volatile boolean closed;

    private RingBufMap(MapSpec spec, MapContext context, MapMemory memory) {
        super(spec, context, memory);
        this.ringSize = maxEntries;
        this.mask = ringSize - 1;
        long controlSize = Math.max(PG_OFF_UNIT, MapMemory.pageSize());
        this.region = memory.mapRing(controlSize, ringSize);
        this.control = region.address();
        this.data = control + controlSize;
    }

    /** Creates a RINGBUF map, checking the spec as {@code ringbuf_map_alloc} does. */
    public static RingBufMap create(MapSpec spec, MapContext context, MemoryAccounting accounting) {
        CreateChecks.flags(spec, CREATE_FLAG_MASK);
        long size = Integer.toUnsignedLong(spec.maxEntries());
        CreateChecks.check(spec.keySize() != 0 || spec.valueSize() != 0, Errno.EINVAL, spec,
                "there are no keys or values: key_size and value_size must be 0, got %d and %d", spec.keySize(), spec.valueSize());
        CreateChecks.check(Long.bitCount(size) != 1 || size % MapMemory.pageSize() != 0, Errno.EINVAL, spec,
                "max_entries is the data size: a power of two multiple of the page size (%d), got %d", MapMemory.pageSize(), size);
        return MapMemory.build(accounting, memory -> new RingBufMap(spec, context, memory));
    }

    private long consumerPos() {
        return (long) CONSUMER_POS.getAcquire(this);
    }

    private long producerPos() {
        return (long) PRODUCER_POS.getAcquire(this);
    }

    private static long recordSize(int len) {
        return Native.round8((len & ~(BUSY_BIT | DISCARD_BIT)) + (long) HDR_SIZE);
    }

    @Override
    public void setMapId(int id) {
        Native.putInt(control + CONTROL_MAP_ID, id);
    }

    // producers ---------------------------------------------------------------------------

    /** {@code __bpf_ringbuf_reserve}. */
    @Override
    public long reserve(long size, long flags) {
        if (flags != 0 || size < 0 || size > MAX_RECORD) {
            return 0;
        }
        long len = Native.round8(size + HDR_SIZE);
        if (len > ringSize) {
            return 0;
        }
        long cons = consumerPos();
        synchronized (producerLock) {
            long prod = producerPos();
            long pend = pendingPos;
            // move past records committed since, so a slow producer only holds back its own space
            while (pend < prod) {
                int hdrLen = Native.getIntAcquire(data + (pend & mask));
                if ((hdrLen & BUSY_BIT) != 0) {
                    break;
                }
                pend += recordSize(hdrLen);
            }
            pendingPos = pend;
            long newProd = prod + len;
            if (newProd - cons > mask || newProd - pend > mask) {
                return 0;
            }
            long hdr = data + (prod & mask);
            Native.putInt(hdr + 4, (int) ((hdr - control) / PG_OFF_UNIT));
            Native.putIntRelease(hdr, (int) size | BUSY_BIT);
            PRODUCER_POS.setRelease(this, newProd);
            return hdr + HDR_SIZE;
        }
    }

    @Override
    public long submit(long sample, long flags) {
        return commit(sample, flags, false);
    }

    @Override
    public long discard(long sample, long flags) {
        return commit(sample, flags, true);
    }

    /** {@code bpf_ringbuf_commit}. */
    private long commit(long sample, long flags, boolean discard) {
        long hdr = sample - HDR_SIZE;
        if (hdr < data || hdr >= data + ringSize || (hdr & 7) != 0) {
            return err(Errno.EINVAL);
        }
        int len = Native.getIntAcquire(hdr);
        if ((len & BUSY_BIT) == 0) {
            return err(Errno.EINVAL);
        }
        int newLen = len ^ BUSY_BIT;
        if (discard) {
            newLen |= DISCARD_BIT;
        }
        Native.getAndSetInt(hdr, newLen);
        long recPos = hdr - data;
        long consPos = consumerPos() & mask;
        if ((flags & RB_FORCE_WAKEUP) != 0 || (consPos == recPos && (flags & RB_NO_WAKEUP) == 0)) {
            wakeReaders();
        }
        return 0;
    }

    private void wakeReaders() {
        if (waiters > 0) {
            signalReaders();
        }
    }

    /** Wakes every reader blocked in {@code poll}, to look again. */
    private void signalReaders() {
        waitLock.lock();
        try {
            committed.signalAll();
        } finally {
            waitLock.unlock();
        }
    }

    /** {@code bpf_ringbuf_output}. */
    @Override
    public long output(long src, long size, long flags) {
        if ((flags & ~(RB_NO_WAKEUP | RB_FORCE_WAKEUP)) != 0) {
            return err(Errno.EINVAL);
        }
        long rec = reserve(size, 0);
        if (rec == 0) {
            return err(Errno.EAGAIN);
        }
        Native.copy(src, rec, size);
        return commit(rec, flags, false);
    }

    /** {@code bpf_ringbuf_query}. */
    @Override
    public long query(long flags) {
        if (flags == RB_AVAIL_DATA) {
            return producerPos() - consumerPos();
        } else if (flags == RB_RING_SIZE) {
            return ringSize;
        } else if (flags == RB_CONS_POS) {
            return consumerPos();
        } else if (flags == RB_PROD_POS) {
            return producerPos();
        }
        return 0;
    }

    // consumers ---------------------------------------------------------------------------

    @Override
    public RingBufferReader reader() {
        if (closed) {
            throw new BpfException(Errno.EBADF, "RINGBUF map is closed");
        }
        return new Reader();
    }

    /** Hands out committed records from the consumer position on (libbpf's {@code ringbuf_process_ring}). */
    private int drain(RingBufferReader.RecordHandler handler) {
        consumerLock.lock();
        try {
            if (closed) {
                throw new BpfException(Errno.EBADF, "RINGBUF map is closed");
            }
            long cons = consumerPos();
            int count = 0;
            boolean progress = true;
            while (progress) {
                progress = false;
                long prod = producerPos();
                while (cons < prod) {
                    long hdr = data + (cons & mask);
                    int len = Native.getIntAcquire(hdr);
                    if ((len & BUSY_BIT) != 0) {
                        return count;
                    }
                    progress = true;
                    cons += recordSize(len);
                    try {
                        if ((len & DISCARD_BIT) == 0) {
                            count++;
                            handler.onRecord(region.asSlice(hdr + HDR_SIZE - control, len).asReadOnly());
                        }
                    } finally {
                        // a failing handler still consumed its record, as libbpf does
                        CONSUMER_POS.setRelease(this, cons);
                    }
                }
            }
            return count;
        } finally {
            consumerLock.unlock();
        }
    }

    /** Whether the record at the consumer position is committed (or discarded). */
    private boolean recordReady() {
        long cons = consumerPos();
        return cons < producerPos() && (Native.getIntAcquire(data + (cons & mask)) & BUSY_BIT) == 0;
    }

    private final class Reader implements RingBufferReader {
        private volatile boolean stopped;

        @Override
        public int consume(RecordHandler handler) {
            checkOpen();
            return drain(handler);
        }

        @Override
        public int poll(RecordHandler handler, java.time.Duration timeout) throws InterruptedException {
            int n = consume(handler);
            if (n > 0) {
                return n;
            }
            waitLock.lockInterruptibly();
            try {
                waiters++;
                try {
                    // a producer that committed before it saw us waiting did not signal: look again first
                    if (!stopped && !closed && !recordReady()) {
                        committed.awaitNanos(timeout.toNanos());
                    }
                } finally {
                    waiters--;
                }
            } finally {
                waitLock.unlock();
            }
            return stopped ? 0 : consume(handler);
        }

        @Override
        public long availableBytes() {
            checkOpen();
            return query(RB_AVAIL_DATA);
        }

        @Override
        public long ringSize() {
            return ringSize;
        }

        private void checkOpen() {
            if (stopped) {
                throw new BpfException(Errno.EBADF, "this ring buffer reader is closed");
            }
        }

        @Override
        public void close() {
            stopped = true;
            signalReaders();
        }
    }

    // keyed operations do not exist -----------------------------------------------------------

    @Override
    public long lookup(long keyAddr) {
        return 0;
    }

    @Override
    public long update(long keyAddr, long valueAddr, long flags) {
        return err(Errno.EINVAL);
    }

    @Override
    public long delete(long keyAddr) {
        return err(Errno.EINVAL);
    }

    private BpfException noKeys(MemorySegment key) {
        checkNoKey(key);
        return new BpfException(Errno.ENOTSUPP, "RINGBUF map has no keys or values: programs write records with bpf_ringbuf_* helpers "
                + "and Java reads them with a RingBufferReader");
    }

    @Override
    public boolean lookup(MemorySegment key, MemorySegment valueOut) {
        throw noKeys(key);
    }

    @Override
    public void update(MemorySegment key, MemorySegment value, long flags) {
        throw noKeys(key);
    }

    @Override
    public boolean delete(MemorySegment key) {
        throw noKeys(key);
    }

    @Override
    public boolean nextKey(MemorySegment key, MemorySegment nextOut) {
        throw noKeys(key);
    }

    @Override
    public void close() {
        closed = true;
        signalReaders();
        consumerLock.lock();
        try {
            super.close();
        } finally {
            consumerLock.unlock();
        }
    }
}
