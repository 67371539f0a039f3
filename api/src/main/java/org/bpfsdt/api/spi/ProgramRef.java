package org.bpfsdt.api.spi;

import org.bpfsdt.api.ProgramType;

/** A counted reference to a loaded program, held by maps (PROG_ARRAY) and links; close releases it. */
public interface ProgramRef extends AutoCloseable {
    int id();

    ProgramType type();

    /** Address of the program's native descriptor (see {@link RuntimeLinkage}). */
    long descriptor();

    /** Runs the program on whatever engine runs it now with {@code ctx} as r1; returns r0. */
    long run(long ctx);

    /**
     * Calls {@code listener} each time the runtime moves the program to another engine (JIT
     * services came or went), on the thread that moves it, before any run can enter the new code:
     * what the listener attaches (SDT trampolines) is in place for the first run there. The old
     * code stays usable until a grace period after the move. Close the result to stop listening.
     */
    default Subscription onEngineChange(Runnable listener) {
        return () -> { };
    }

    /** A registration of a listener; closing it ends it. */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    void close();
}
