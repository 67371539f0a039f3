package org.bpfsdt.core.exec;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * RCU-like grace periods over program runs: "do X once every run that started before now has
 * finished". Runs announce themselves in their thread's {@link RunSlot} (a volatile store of the
 * current epoch, no allocation); a reclaimer bumps the epoch and waits until no slot holds an
 * epoch at or before its own. Used to free what running programs may still hold: JIT images
 * replaced by hot swap, map elements, map headers and program descriptors.
 */
public final class GracePeriods implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GracePeriods.class.getName());

    private final AtomicLong epoch = new AtomicLong(1);
    private final List<WeakReference<RunSlot>> slots = new ArrayList<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final String name;
    private Thread reclaimer;
    private boolean closed;

    private record Pending(long epoch, Runnable action) {
    }

    /** {@code name} names the reclaimer thread. */
    public GracePeriods(String name) {
        this.name = name;
    }

    /** Makes {@code slot}'s runs count; called once per thread state. */
    public void register(RunSlot slot) {
        synchronized (slots) {
            slots.removeIf(w -> w.get() == null);
            slots.add(new WeakReference<>(slot));
        }
    }

    /** Marks the start of a run on the slot's own thread. */
    public void enter(RunSlot slot) {
        slot.enterRun(epoch.get());
    }

    public void exit(RunSlot slot) {
        slot.exitRun();
    }

    /** Starts a grace period: runs that start from now on are not waited for. */
    private long startPeriod() {
        return epoch.getAndIncrement();
    }

    /** Whether every run that started in an epoch at or before {@code target} has finished. */
    private boolean elapsed(long target) {
        synchronized (slots) {
            for (WeakReference<RunSlot> w : slots) {
                RunSlot s = w.get();
                if (s != null) {
                    long e = s.activeEpoch();
                    if (e != 0 && e <= target) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * Runs {@code action} after a grace period: at once on this thread when no earlier run is in
     * progress, else later on the reclaimer thread. Never blocks, so a helper inside a run may call it.
     */
    public void defer(Runnable action) {
        long target = startPeriod();
        if (elapsed(target)) {
            runSafely(action);
            return;
        }
        synchronized (pending) {
            if (closed) {
                // close() already waited for every run; nothing can hold the memory now
                runSafely(action);
                return;
            }
            pending.add(new Pending(target, action));
            if (reclaimer == null) {
                reclaimer = Thread.ofPlatform().daemon().name(name + "-reclaimer").start(this::reclaim);
            }
            pending.notifyAll();
        }
    }

    /**
     * Waits until every run that started before this call has finished (as {@code synchronize_rcu}).
     * Must not be called from inside a run on this thread: that run would wait for itself.
     */
    public void synchronize(RunSlot callerSlot) {
        if (callerSlot != null && callerSlot.inRun()) {
            throw new IllegalStateException("synchronize() inside a program run would wait for itself; use defer()");
        }
        long target = startPeriod();
        long backoff = 1_000;
        while (!elapsed(target)) {
            LockSupport.parkNanos(backoff);
            backoff = Math.min(backoff * 2, TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Actions waiting for their grace period (for tests and diagnostics). */
    public int pendingCount() {
        synchronized (pending) {
            return pending.size();
        }
    }

    private void reclaim() {
        long backoff = 10_000;
        while (true) {
            Pending next;
            synchronized (pending) {
                while (pending.isEmpty() && !closed) {
                    try {
                        pending.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (pending.isEmpty()) {
                    reclaimer = null;
                    return;
                }
                next = pending.peek();
            }
            if (elapsed(next.epoch())) {
                boolean mine;
                synchronized (pending) {
                    // close() may have taken it meanwhile
                    mine = pending.peek() == next;
                    if (mine) {
                        pending.poll();
                    }
                }
                if (mine) {
                    runSafely(next.action());
                }
                backoff = 10_000;
            } else {
                LockSupport.parkNanos(backoff);
                backoff = Math.min(backoff * 2, TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    private static void runSafely(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "deferred reclamation failed", e);
        }
    }

    /** Waits for every run to finish, then runs what is still pending; later defers run at once. */
    @Override
    public void close() {
        synchronize(null);
        List<Pending> rest;
        Thread t;
        synchronized (pending) {
            closed = true;
            rest = new ArrayList<>(pending);
            pending.clear();
            t = reclaimer;
            pending.notifyAll();
        }
        rest.forEach(p -> runSafely(p.action()));
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
