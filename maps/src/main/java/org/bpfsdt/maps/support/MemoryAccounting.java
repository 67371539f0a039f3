package org.bpfsdt.maps.support;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Native memory held by the maps of one provider: what tests check returns to zero once maps close. */
public final class MemoryAccounting {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger openMaps = new AtomicInteger();

    /** Bytes of native memory held now. */
    public long bytes() {
        return bytes.get();
    }

    /** Maps whose memory is not yet freed. */
    public int openMaps() {
        return openMaps.get();
    }

    void opened() {
        openMaps.incrementAndGet();
    }

    void closed() {
        openMaps.decrementAndGet();
    }

    void add(long n) {
        bytes.addAndGet(n);
    }
}
