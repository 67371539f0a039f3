package org.bpfsdt.core.exec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's part in {@link GracePeriods}: whether the thread is inside a program run and since
 * which epoch. Only the outermost run of a thread publishes; nested runs (a helper running a
 * program) only count depth. Owned by one thread; read by the reclaimer.
 */
public class RunSlot {
    private static final VarHandle ACTIVE;

    static {
        try {
            ACTIVE = MethodHandles.lookup().findVarHandle(RunSlot.class, "activeEpoch", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The epoch the outermost run started in, 0 when the thread runs no program. */
    @SuppressWarnings("unused")
    private volatile long activeEpoch;
    private int runDepth;

    /** Marks the start of a run; pair with {@link #exitRun()} in a finally block. */
    final void enterRun(long epoch) {
        if (runDepth++ == 0) {
            // a volatile store: ordered before the run reads any pointer a reclaimer may retire
            ACTIVE.setVolatile(this, epoch);
        }
    }

    final void exitRun() {
        if (--runDepth == 0) {
            ACTIVE.setRelease(this, 0L);
        }
    }

    /** Whether this thread is inside a run now (only meaningful on the owning thread). */
    public final boolean inRun() {
        return runDepth > 0;
    }

    final long activeEpoch() {
        return (long) ACTIVE.getVolatile(this);
    }
}
