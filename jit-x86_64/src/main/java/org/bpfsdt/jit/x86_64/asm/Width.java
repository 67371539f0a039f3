package org.bpfsdt.jit.x86_64.asm;

/** Operand sizes. */
public enum Width {
    BYTE(1, "byte"), WORD(2, "word"), DWORD(4, "dword"), QWORD(8, "qword");

    private final int bytes;
    private final String ptr;

    Width(int bytes, String ptr) {
        this.bytes = bytes;
        this.ptr = ptr;
    }

    public int bytes() {
        return bytes;
    }

    /** The Intel-syntax size keyword of a memory operand, e.g. {@code qword ptr}. */
    public String ptr() {
        return ptr + " ptr";
    }

    /** DWORD for 32-bit BPF operations, QWORD for 64-bit ones. */
    public static Width of64(boolean is64) {
        return is64 ? QWORD : DWORD;
    }

    /** The width of a BPF memory access of {@code bytes} bytes. */
    public static Width ofBytes(int bytes) {
        return switch (bytes) {
            case 1 -> BYTE;
            case 2 -> WORD;
            case 4 -> DWORD;
            case 8 -> QWORD;
            default -> throw new IllegalArgumentException("no operand width of " + bytes + " bytes");
        };
    }
}
