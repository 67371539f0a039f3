package org.bpfsdt.loader.object;

/** A fix-up one instruction of a function needs before load; {@code insn} is the function-relative slot. */
public sealed interface InsnRelo {
    int insn();

    /** An LDDW that loads the pointer of map {@code map} (an index into the object's maps). */
    record MapLoad(int insn, int map) implements InsnRelo {
    }

    /** An LDDW that loads the address of byte {@code offset} of global data map {@code map}'s value. */
    record DataLoad(int insn, int map, long offset) implements InsnRelo {
    }

    /** A bpf-to-bpf call of the {@code .text} function starting at section slot {@code target}. */
    record SubprogCall(int insn, int target) implements InsnRelo {
    }

    /** An LDDW of the address of the {@code .text} function at section slot {@code target} (a callback). */
    record SubprogAddr(int insn, int target) implements InsnRelo {
    }
}
