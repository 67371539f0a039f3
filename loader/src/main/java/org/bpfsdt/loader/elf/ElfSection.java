package org.bpfsdt.loader.elf;

/**
 * A section header of an ELF64 file.
 *
 * @param index     section index
 * @param name      name from the section name table
 * @param type      {@code sh_type}
 * @param flags     {@code sh_flags}
 * @param offset    file offset of the contents
 * @param size      bytes of contents (of memory for {@code SHT_NOBITS})
 * @param link      {@code sh_link}
 * @param info      {@code sh_info}
 * @param addralign {@code sh_addralign}
 * @param entsize   {@code sh_entsize}
 */
public record ElfSection(int index, String name, int type, long flags, long offset, long size, int link, int info,
                         long addralign, long entsize) {
    public static final int SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4,
            SHT_NOBITS = 8, SHT_REL = 9, SHT_SYMTAB_SHNDX = 18;
    public static final long SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;

    public boolean isExecutable() {
        return type == SHT_PROGBITS && (flags & SHF_EXECINSTR) != 0;
    }

    /** Whether the contents occupy bytes of the file. */
    public boolean hasFileData() {
        return type != SHT_NOBITS && type != SHT_NULL && size > 0;
    }

    /** {@code "xdp.o: section 'xdp'"}, how errors name it. */
    public String describe(String file) {
        return file + ": section '" + name + "'";
    }
}
