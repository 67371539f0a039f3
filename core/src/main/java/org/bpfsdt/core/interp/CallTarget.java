package org.bpfsdt.core.interp;

/** A program as a tail call reaches it: the interpreter's decoded form, or code that runs elsewhere. */
public interface CallTarget {
    /** The decoded program when the interpreter runs it (the tail call continues in place), else {@code null}. */
    DecodedProgram interpreted();

    /** Runs the program on its own engine with {@code ctx} in r1 and returns its r0. */
    long run(ExecState state, long ctx);
}
