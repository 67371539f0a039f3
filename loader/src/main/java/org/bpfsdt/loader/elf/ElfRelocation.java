package org.bpfsdt.loader.elf;

/**
 * One {@code SHT_REL} entry: the implicit addend sits in the relocated bytes.
 *
 * @param offset byte offset in the relocated section
 * @param type   {@code R_BPF_*}
 * @param symbol the symbol it refers to
 */
public record ElfRelocation(long offset, int type, ElfSymbol symbol) {
    public static final int R_BPF_NONE = 0, R_BPF_64_64 = 1, R_BPF_64_ABS64 = 2, R_BPF_64_ABS32 = 3,
            R_BPF_64_NODYLD32 = 4, R_BPF_64_32 = 10;

    /** The relocation type's name for messages. */
    public static String typeName(int type) {
        return switch (type) {
            case R_BPF_NONE -> "R_BPF_NONE";
            case R_BPF_64_64 -> "R_BPF_64_64";
            case R_BPF_64_ABS64 -> "R_BPF_64_ABS64";
            case R_BPF_64_ABS32 -> "R_BPF_64_ABS32";
            case R_BPF_64_NODYLD32 -> "R_BPF_64_NODYLD32";
            case R_BPF_64_32 -> "R_BPF_64_32";
            default -> "relocation type " + type;
        };
    }
}
