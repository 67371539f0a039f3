package org.bpfsdt.core.interp;

/** Something that runs a program on the calling thread's state: its current engine, whichever that is. */
@FunctionalInterface
public interface ProgramRunner {
    /** Runs once with {@code ctx} in r1; returns r0. */
    long run(ExecState state, long ctx);
}
