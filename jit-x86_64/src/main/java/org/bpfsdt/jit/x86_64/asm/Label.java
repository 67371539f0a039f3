package org.bpfsdt.jit.x86_64.asm;

/** A position in the code, bound once; jumps and calls to it are resolved when the code is finished. */
public final class Label {
    private int position = -1;

    public boolean isBound() {
        return position >= 0;
    }

    /** Its offset in the code; only once bound. */
    public int position() {
        if (position < 0) {
            throw new IllegalStateException("label is not bound");
        }
        return position;
    }

    void bind(int at) {
        if (position >= 0) {
            throw new IllegalStateException("label is already bound at " + position);
        }
        position = at;
    }
}
