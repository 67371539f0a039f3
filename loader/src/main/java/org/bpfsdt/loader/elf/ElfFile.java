package org.bpfsdt.loader.elf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;

/**
 * A little-endian ELF64 relocatable object for {@code EM_BPF}: its section headers, symbols and
 * {@code SHT_REL} relocations, all validated when it is parsed. Every offset, size and count is
 * checked against the file before it is used, so a malformed file fails with a
 * {@link BpfException} ({@code ENOEXEC}) that names the place, and a huge count cannot make the
 * reader allocate more than the file holds.
 */
public final class ElfFile {
    public static final int EM_BPF = 247;
    public static final int ET_REL = 1;
    private static final int EHDR_SIZE = 64, SHDR_SIZE = 64, SYM_SIZE = 24, REL_SIZE = 16;

    private final String fileName;
    private final ByteView file;
    private final List<ElfSection> sections;
    private final List<ElfSymbol> symbols;
    private final Map<Integer, List<ElfRelocation>> relocations;

    private ElfFile(String fileName, ByteView file, List<ElfSection> sections, List<ElfSymbol> symbols,
                    Map<Integer, List<ElfRelocation>> relocations) {
        this.fileName = fileName;
        this.file = file;
        this.sections = sections;
        this.symbols = symbols;
        this.relocations = relocations;
    }

    /** Parses and validates {@code bytes}; {@code fileName} names the file in errors. */
    public static ElfFile parse(byte[] bytes, String fileName) {
        ByteView file = ByteView.of(bytes, fileName, Errno.ENOEXEC);
        checkHeader(file);
        List<ElfSection> sections = readSectionHeaders(file, fileName);
        checkLayout(file, sections, fileName);
        int symtabIndex = findSymtab(sections, fileName);
        List<ElfSymbol> symbols = symtabIndex < 0 ? List.of() : readSymbols(file, sections, symtabIndex, fileName);
        Map<Integer, List<ElfRelocation>> relocations = readRelocations(file, sections, symtabIndex, symbols, fileName);
        return new ElfFile(fileName, file, sections, symbols, relocations);
    }

    public String fileName() {
        return fileName;
    }

    public List<ElfSection> sections() {
        return sections;
    }

    public ElfSection section(int index) {
        if (index < 0 || index >= sections.size()) {
            throw new BpfException(Errno.ENOEXEC, fileName + ": section index " + index + " does not exist ("
                    + sections.size() + " sections)");
        }
        return sections.get(index);
    }

    /** The first section named {@code name}. */
    public Optional<ElfSection> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public List<ElfSymbol> symbols() {
        return symbols;
    }

    /** The relocations that apply to section {@code targetIndex}, in file order. */
    public List<ElfRelocation> relocations(int targetIndex) {
        return relocations.getOrDefault(targetIndex, List.of());
    }

    /** The contents of {@code section} as a view that names it in errors ({@code SHT_NOBITS}: empty). */
    public ByteView contents(ElfSection section, Errno errno) {
        String where = section.describe(fileName);
        if (!section.hasFileData()) {
            return ByteView.of(new byte[0], where, errno);
        }
        return file.slice(section.offset(), section.size(), "contents", where).renamed(where, errno);
    }

    private static void checkHeader(ByteView f) {
        if (f.length() < EHDR_SIZE) {
            throw f.error("file is " + f.length() + " bytes, too short for an ELF header (64 bytes)");
        }
        if (f.u8(0) != 0x7f || f.u8(1) != 'E' || f.u8(2) != 'L' || f.u8(3) != 'F') {
            throw f.error("not an ELF file (bad magic)");
        }
        if (f.u8(4) != 2) {
            throw f.error("not a 64-bit ELF file (EI_CLASS " + f.u8(4) + ")");
        }
        if (f.u8(5) != 1) {
            throw f.error("not a little-endian ELF file (EI_DATA " + f.u8(5) + "); only bpfel objects are supported");
        }
        if (f.u8(6) != 1) {
            throw f.error("unknown ELF version " + f.u8(6));
        }
        int type = f.u16(16);
        if (type != ET_REL) {
            throw f.error("not a relocatable object (e_type " + type + ", expected ET_REL)");
        }
        int machine = f.u16(18);
        if (machine != EM_BPF) {
            throw f.error("not a BPF object (e_machine " + machine + ", expected EM_BPF 247)");
        }
        if (f.u16(58) != SHDR_SIZE) {
            throw f.error("section header size " + f.u16(58) + " is not 64");
        }
    }

    private static List<ElfSection> readSectionHeaders(ByteView f, String fileName) {
        long shoff = f.s64(40);
        long shnum = f.u16(60);
        long shstrndx = f.u16(62);
        if (shoff == 0) {
            throw f.error("no section header table");
        }
        if (shoff < 0 || shoff % 8 != 0) {
            throw f.error("section header table offset 0x" + Long.toHexString(shoff) + " is misaligned or out of range");
        }
        f.check(shoff, SHDR_SIZE, "section header 0");
        if (shnum == 0) {
            shnum = f.s64(shoff + 32); // extended numbering: the count is section 0's sh_size
        }
        if (shstrndx == 0xffff) {
            shstrndx = f.u32(shoff + 40); // and the name table index is its sh_link
        }
        if (shnum <= 0 || shnum > (f.length() - shoff) / SHDR_SIZE) {
            throw f.error("section header table (" + shnum + " entries at 0x" + Long.toHexString(shoff)
                    + ") does not fit in the file");
        }
        if (shstrndx <= 0 || shstrndx >= shnum) {
            throw f.error("section name table index " + shstrndx + " is out of range (" + shnum + " sections)");
        }
        int n = (int) shnum;
        long[][] raw = new long[n][];
        for (int i = 0; i < n; i++) {
            long h = shoff + (long) i * SHDR_SIZE;
            raw[i] = new long[] {f.u32(h), f.u32(h + 4), f.s64(h + 8), f.s64(h + 24), f.s64(h + 32), f.u32(h + 40),
                    f.u32(h + 44), f.s64(h + 48), f.s64(h + 56)};
        }
        long[] strHdr = raw[(int) shstrndx];
        if (strHdr[1] != ElfSection.SHT_STRTAB) {
            throw f.error("section name table (section " + shstrndx + ") is not a string table");
        }
        ByteView names = f.slice(strHdr[3], strHdr[4], "section name table", fileName + ": section name table");
        List<ElfSection> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long[] r = raw[i];
            String name = i == 0 ? "" : names.cString(r[0], "name of section " + i);
            out.add(new ElfSection(i, name, (int) r[1], r[2], r[3], r[4], (int) r[5], (int) r[6], r[7], r[8]));
        }
        return List.copyOf(out);
    }

    /** Contents inside the file, aligned as declared, and no two sections (or headers) sharing bytes. */
    private static void checkLayout(ByteView f, List<ElfSection> sections, String fileName) {
        record Range(long start, long end, String what) {
        }
        List<Range> ranges = new ArrayList<>();
        ranges.add(new Range(0, EHDR_SIZE, "the ELF header"));
        long shoff = f.s64(40);
        ranges.add(new Range(shoff, shoff + (long) sections.size() * SHDR_SIZE, "the section header table"));
        for (ElfSection s : sections) {
            if (s.index() == 0) {
                continue;
            }
            String where = s.describe(fileName);
            long align = s.addralign();
            if (align < 0 || (align & (align - 1)) != 0) {
                throw new BpfException(Errno.ENOEXEC, where + ": alignment " + align + " is not a power of two");
            }
            if (!s.hasFileData()) {
                if (s.size() < 0) {
                    throw new BpfException(Errno.ENOEXEC, where + ": size " + s.size() + " is negative");
                }
                continue;
            }
            if (!f.contains(s.offset(), s.size())) {
                throw new BpfException(Errno.ENOEXEC, where + ": contents at 0x" + Long.toHexString(s.offset()) + " ("
                        + s.size() + " bytes) extend past the end of the file (" + f.length() + " bytes)");
            }
            if (align > 1 && s.offset() % align != 0) {
                throw new BpfException(Errno.ENOEXEC, where + ": offset 0x" + Long.toHexString(s.offset())
                        + " is not aligned to " + align + " bytes");
            }
            ranges.add(new Range(s.offset(), s.offset() + s.size(), "section '" + s.name() + "'"));
        }
        ranges.sort(Comparator.comparingLong(Range::start));
        for (int i = 1; i < ranges.size(); i++) {
            Range a = ranges.get(i - 1), b = ranges.get(i);
            if (b.start() < a.end()) {
                throw new BpfException(Errno.ENOEXEC, fileName + ": " + b.what() + " at 0x" + Long.toHexString(b.start())
                        + " overlaps " + a.what() + " (0x" + Long.toHexString(a.start()) + "-0x" + Long.toHexString(a.end()) + ")");
            }
        }
    }

    private static int findSymtab(List<ElfSection> sections, String fileName) {
        int found = -1;
        for (ElfSection s : sections) {
            if (s.type() == ElfSection.SHT_SYMTAB) {
                if (found >= 0) {
                    throw new BpfException(Errno.ENOEXEC, fileName + ": more than one symbol table");
                }
                found = s.index();
            } else if (s.type() == ElfSection.SHT_SYMTAB_SHNDX) {
                throw new BpfException(Errno.ENOEXEC, s.describe(fileName) + ": extended symbol section indices are not supported");
            }
        }
        return found;
    }

    private static List<ElfSymbol> readSymbols(ByteView f, List<ElfSection> sections, int symtabIndex, String fileName) {
        ElfSection symtab = sections.get(symtabIndex);
        String where = symtab.describe(fileName);
        if (symtab.entsize() != SYM_SIZE || symtab.size() % SYM_SIZE != 0) {
            throw new BpfException(Errno.ENOEXEC, where + ": entry size " + symtab.entsize() + " / size " + symtab.size()
                    + " do not describe 24-byte symbols");
        }
        if (symtab.link() <= 0 || symtab.link() >= sections.size() || sections.get(symtab.link()).type() != ElfSection.SHT_STRTAB) {
            throw new BpfException(Errno.ENOEXEC, where + ": linked string table " + symtab.link() + " is not a string table");
        }
        ElfSection strtab = sections.get(symtab.link());
        ByteView strings = f.slice(strtab.offset(), strtab.size(), "string table", strtab.describe(fileName));
        ByteView data = f.slice(symtab.offset(), symtab.size(), "symbols", where);
        int count = (int) (symtab.size() / SYM_SIZE);
        List<ElfSymbol> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long p = (long) i * SYM_SIZE;
            int info = data.u8(p + 4);
            int shndx = data.u16(p + 6);
            int type = info & 0xf;
            String name = strings.cString(data.u32(p), "name of symbol " + i);
            if (shndx != ElfSymbol.SHN_UNDEF && shndx < 0xff00 && shndx >= sections.size()) {
                throw data.error("symbol " + i + " ('" + name + "') refers to section " + shndx + ", which does not exist");
            }
            if (type == ElfSymbol.STT_SECTION && name.isEmpty() && shndx < sections.size()) {
                name = sections.get(shndx).name();
            }
            out.add(new ElfSymbol(i, name, type, info >>> 4, data.u8(p + 5) & 3, shndx, data.s64(p + 8), data.s64(p + 16)));
        }
        return List.copyOf(out);
    }

    private static Map<Integer, List<ElfRelocation>> readRelocations(ByteView f, List<ElfSection> sections, int symtabIndex,
                                                                     List<ElfSymbol> symbols, String fileName) {
        Map<Integer, List<ElfRelocation>> out = new HashMap<>();
        for (ElfSection s : sections) {
            if (s.type() != ElfSection.SHT_REL) {
                continue;
            }
            String where = s.describe(fileName);
            if (s.link() != symtabIndex || symtabIndex < 0) {
                throw new BpfException(Errno.ENOEXEC, where + ": linked symbol table " + s.link() + " is not the symbol table");
            }
            if (s.info() <= 0 || s.info() >= sections.size() || s.info() == s.index()) {
                throw new BpfException(Errno.ENOEXEC, where + ": relocated section " + s.info() + " does not exist");
            }
            if (s.entsize() != REL_SIZE || s.size() % REL_SIZE != 0) {
                throw new BpfException(Errno.ENOEXEC, where + ": entry size " + s.entsize() + " / size " + s.size()
                        + " do not describe 16-byte relocations");
            }
            ElfSection target = sections.get(s.info());
            ByteView data = f.slice(s.offset(), s.size(), "relocations", where);
            int count = (int) (s.size() / REL_SIZE);
            List<ElfRelocation> list = out.computeIfAbsent(target.index(), k -> new ArrayList<>());
            for (int i = 0; i < count; i++) {
                long off = data.s64((long) i * REL_SIZE);
                long info = data.s64((long) i * REL_SIZE + 8);
                long sym = info >>> 32;
                if (sym >= symbols.size()) {
                    throw data.error("relocation " + i + " refers to symbol " + sym + ", which does not exist ("
                            + symbols.size() + " symbols)");
                }
                if (off < 0 || off >= target.size()) {
                    throw data.error("relocation " + i + " at offset 0x" + Long.toHexString(off) + " lies outside section '"
                            + target.name() + "' (" + target.size() + " bytes)");
                }
                list.add(new ElfRelocation(off, (int) info, symbols.get((int) sym)));
            }
        }
        out.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return Map.copyOf(out);
    }
}
