package org.bpfsdt.core.interp;

/**
 * A helper function's implementation: r1..r5 in, r0 out, as the kernel's {@code BPF_CALL_5}.
 * {@code state} is the calling thread's execution state: the running program, its context, and
 * the means to run callbacks; most helpers ignore it. Errors are returned as negative errnos,
 * as the kernel's helpers do; a helper throws only where the kernel would kill the program.
 */
@FunctionalInterface
public interface Helper {
    long call(ExecState state, long r1, long r2, long r3, long r4, long r5);
}
