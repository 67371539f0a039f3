package org.bpfsdt.api.spi;

/** What the runtime offers a map implementation. */
public interface MapContext {
    /** Number of possible CPUs: per-CPU maps keep this many values. */
    int possibleCpus();

    /** The CPU number of the calling thread, in {@code [0, possibleCpus())}. */
    int currentCpu();

    /** A new reference to the live program with this id (PROG_ARRAY values); {@code EBADF}/{@code ENOENT} when there is none. */
    ProgramRef acquireProgram(int id);

    /** The runtime's clock: nanoseconds since an arbitrary origin, as {@code bpf_ktime_get_ns}. */
    long nanoTime();

    /**
     * Runs {@code action} once every program run that started before this call has finished
     * (an RCU-like grace period), so memory a running program may still hold (a deleted hash
     * element, a replaced value) is reclaimed only when no run can touch it. Never blocks; the
     * action runs on another thread, or at once when no run is in progress. Maps batch their
     * actions, and an action that runs after its map was closed does nothing. The default runs
     * it at once, which is right only where no program runs concurrently (a test's context).
     */
    default void afterGracePeriod(Runnable action) {
        action.run();
    }
}
