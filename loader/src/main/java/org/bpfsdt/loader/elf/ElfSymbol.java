package org.bpfsdt.loader.elf;

/**
 * A symbol of the symbol table.
 *
 * @param index      symbol index
 * @param name       name ({@code ""} for none; section symbols take their section's name)
 * @param type       {@code STT_*}
 * @param bind       {@code STB_*}
 * @param visibility {@code STV_*}
 * @param shndx      section index, or {@code SHN_UNDEF}/{@code SHN_ABS}/{@code SHN_COMMON}
 * @param value      {@code st_value}: the offset in its section
 * @param size       {@code st_size}
 */
public record ElfSymbol(int index, String name, int type, int bind, int visibility, int shndx, long value, long size) {
    public static final int STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;
    public static final int STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
    public static final int STV_DEFAULT = 0, STV_HIDDEN = 2;
    public static final int SHN_UNDEF = 0, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2, SHN_XINDEX = 0xffff;

    /** Whether the symbol is defined in a section of this file. */
    public boolean isDefined() {
        return shndx != SHN_UNDEF && shndx < 0xff00;
    }

    public boolean isGlobal() {
        return bind == STB_GLOBAL || bind == STB_WEAK;
    }
}
