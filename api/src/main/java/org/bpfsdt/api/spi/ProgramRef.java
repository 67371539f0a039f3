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

    @Override
    void close();
}
