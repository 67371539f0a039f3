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
}
