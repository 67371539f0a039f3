package org.bpfsdt.maps.support;

import java.util.Arrays;
import java.util.function.LongConsumer;

import org.bpfsdt.api.spi.MapContext;

/**
 * Hands memory a map unlinked back for reuse once a grace period has passed, so a value address
 * a program run got stays valid (and keeps its contents) until that run ends. Retired addresses
 * are batched: at most one grace-period callback is pending at a time, and it is one preallocated
 * {@link Runnable}, so retiring does not allocate per element.
 */
public final class Recycler {
    private final MapContext context;
    private final LongConsumer reuse;
    private final Runnable gracePeriodPassed = this::gracePeriodPassed;
    /** Retired since the pending callback was scheduled. */
    private long[] collecting = new long[16];
    private int collected;
    /** Retired before the pending callback was scheduled: safe once it runs. */
    private long[] waiting = new long[16];
    private int waitingCount;
    private boolean scheduled;
    private boolean closed;

    public Recycler(MapContext context, LongConsumer reuse) {
        this.context = context;
        this.reuse = reuse;
    }

    /** {@code address} is no longer reachable from the map; reuse it after a grace period. */
    public void retire(long address) {
        boolean schedule;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (collected == collecting.length) {
                collecting = Arrays.copyOf(collecting, collected * 2);
            }
            collecting[collected++] = address;
            schedule = !scheduled;
            if (schedule) {
                startWaiting();
            }
        }
        if (schedule) {
            context.afterGracePeriod(gracePeriodPassed);
        }
    }

    private void gracePeriodPassed() {
        boolean again;
        synchronized (this) {
            if (closed) {
                return;
            }
            for (int i = 0; i < waitingCount; i++) {
                reuse.accept(waiting[i]);
            }
            waitingCount = 0;
            again = collected > 0;
            scheduled = again;
            if (again) {
                startWaiting();
            }
        }
        if (again) {
            context.afterGracePeriod(gracePeriodPassed);
        }
    }

    private void startWaiting() {
        long[] t = waiting;
        waiting = collecting;
        waitingCount = collected;
        collecting = t;
        collected = 0;
        scheduled = true;
    }

    /** The map is going away with its memory: drop everything, and let late callbacks do nothing. */
    public synchronized void close() {
        closed = true;
        collected = 0;
        waitingCount = 0;
    }
}
