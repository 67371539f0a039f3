package org.bpfsdt.jit.x86_64.asm;

/** The sixteen x86-64 general purpose registers, in encoding order. */
public enum Reg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15;

    private static final String[][] NAMES = {
        {"al", "ax", "eax", "rax"}, {"cl", "cx", "ecx", "rcx"}, {"dl", "dx", "edx", "rdx"}, {"bl", "bx", "ebx", "rbx"},
        {"spl", "sp", "esp", "rsp"}, {"bpl", "bp", "ebp", "rbp"}, {"sil", "si", "esi", "rsi"}, {"dil", "di", "edi", "rdi"},
    };

    /** The register number (0..15). */
    public int code() {
        return ordinal();
    }

    /** The low three bits that go into ModRM, SIB or the opcode. */
    int low3() {
        return ordinal() & 7;
    }

    /** Whether the register needs a REX extension bit (r8..r15). */
    boolean extended() {
        return ordinal() >= 8;
    }

    /** Whether its low byte is only addressable with a REX prefix ({@code spl bpl sil dil}). */
    boolean byteNeedsRex() {
        return ordinal() >= 4 && ordinal() <= 7;
    }

    /** The assembler name of the register at {@code width}, e.g. {@code r9d} or {@code sil}. */
    public String name(Width width) {
        int w = width.ordinal();
        if (extended()) {
            return "r" + ordinal() + new String[] {"b", "w", "d", ""}[w];
        }
        return NAMES[ordinal()][w];
    }
}
