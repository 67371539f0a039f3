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
     * Runs {@code action} once every program run that may have started before this call has
     * finished (an RCU grace period), on some thread of the runtime's choosing. Maps retire
     * memory through it: a value address a run got from a lookup must stay valid until that run
     * ends. Actions may be queued and batched; they must not block. After the map is closed a
     * pending action may still run and must then do nothing harmful.
     */
    void afterGracePeriod(Runnable action);
}
