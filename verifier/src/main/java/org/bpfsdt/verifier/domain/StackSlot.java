package org.bpfsdt.verifier.domain;

/** What one byte of a stack frame holds, as the kernel's {@code STACK_*} slot types, with the log's letters. */
public final class StackSlot {
    private StackSlot() {
    }

    /** Never written: reading it is an error. */
    public static final byte INVALID = 0;
    /** Part of a spilled register, whose full state is kept. */
    public static final byte SPILL = 1;
    /** Some initialised value the verifier does not track. */
    public static final byte MISC = 2;
    /** Known zero. */
    public static final byte ZERO = 3;

    /** The kernel's {@code slot_type_char}. */
    public static char letter(byte type) {
        return switch (type) {
            case SPILL -> 'r';
            case MISC -> 'm';
            case ZERO -> '0';
            default -> '?';
        };
    }
}
