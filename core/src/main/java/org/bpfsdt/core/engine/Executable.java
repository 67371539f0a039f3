package org.bpfsdt.core.engine;

import org.bpfsdt.core.interp.CallTarget;
import org.bpfsdt.core.interp.ExecState;

/**
 * What runs a program now: the interpreter's decoded form or a JIT image. A program holds one
 * in a volatile field and swaps it when engines come and go; a replaced executable is closed
 * only after a grace period, once no run can still be inside it.
 */
public sealed interface Executable extends CallTarget permits Interpreted, Jitted {
    /** The engine's name: {@code interpreter} or the JIT's architecture. */
    String engineName();

    /** The JIT service that made it, or {@code null} for the interpreter. */
    JitService service();

    /** Runs once on the calling thread's state with {@code ctx} in r1; returns r0. */
    @Override
    long run(ExecState state, long ctx);

    /**
     * Runs {@code max(repeat, 1)} times on the same context and returns the last r0: a test
     * run's batch, looped inside native code where the engine has a batch entry.
     */
    default long runBatch(ExecState state, long ctx, long repeat) {
        long r0 = 0;
        for (long i = Math.max(repeat, 1); i > 0; i--) {
            r0 = run(state, ctx);
        }
        return r0;
    }

    /** The native entry for tail calls from native code (a program descriptor's {@code entry}), or 0. */
    long entryAddress();

    /** Bytes of native code, 0 when interpreted. */
    int codeSize();

    /** Frees what it holds; called once no run can be inside it. */
    void close();
}
