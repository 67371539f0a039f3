package org.bpfsdt.api.spi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A minimal ELF64 relocatable object holding one {@code .text} section and local function
 * symbols: the smallest file {@code llvm-objdump} will disassemble, with labels.
 */
final class ElfObject {
    private static final int EHDR = 64, SHDR = 64, SYM = 24;
    private static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3;
    private static final int SHF_ALLOC = 2, SHF_EXECINSTR = 4;
    private static final int STT_FUNC = 2;

    /** A symbol in {@code .text}. */
    record Symbol(String name, int offset, int size) {
    }

    private ElfObject() {
    }

    /** ELF {@code e_machine} and {@code e_flags} of the architectures the JITs emit. */
    private static int[] machine(String architecture) {
        return switch (architecture) {
            case "x86_64" -> new int[] {62, 0};
            case "arm64" -> new int[] {183, 0};
            case "riscv64" -> new int[] {243, 0x5}; // compressed instructions, double-float ABI
            default -> null;
        };
    }

    static boolean supports(String architecture) {
        return machine(architecture) != null;
    }

    static byte[] write(String architecture, byte[] text, List<Symbol> symbols) {
        int[] m = machine(architecture);
        byte[] shstrtab = "\0.text\0.symtab\0.strtab\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        StringBuilder strtab = new StringBuilder("\0");
        int[] names = new int[symbols.size()];
        for (int i = 0; i < symbols.size(); i++) {
            names[i] = strtab.length();
            strtab.append(symbols.get(i).name()).append('\0');
        }
        byte[] strs = strtab.toString().getBytes(StandardCharsets.UTF_8);
        int textOff = EHDR;
        int symOff = align(textOff + text.length, 8);
        int symSize = SYM * (symbols.size() + 1);
        int strOff = symOff + symSize;
        int shstrOff = strOff + strs.length;
        int shOff = align(shstrOff + shstrtab.length, 8);
        ByteBuffer b = ByteBuffer.allocate(shOff + 5 * SHDR).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}).put(new byte[8]);
        b.putShort((short) 1).putShort((short) m[0]).putInt(1).putLong(0).putLong(0).putLong(shOff).putInt(m[1]);
        b.putShort((short) EHDR).putShort((short) 0).putShort((short) 0).putShort((short) SHDR).putShort((short) 5).putShort((short) 4);
        b.position(textOff);
        b.put(text);
        b.position(symOff + SYM); // symbol 0 is the null symbol
        for (int i = 0; i < symbols.size(); i++) {
            Symbol s = symbols.get(i);
            b.putInt(names[i]).put((byte) STT_FUNC).put((byte) 0).putShort((short) 1).putLong(s.offset()).putLong(s.size());
        }
        b.position(strOff);
        b.put(strs);
        b.position(shstrOff);
        b.put(shstrtab);
        b.position(shOff + SHDR); // section 0 is the null section
        section(b, 1, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, textOff, text.length, 0, 0, 16, 0);
        section(b, 7, SHT_SYMTAB, 0, symOff, symSize, 3, symbols.size() + 1, 8, SYM);
        section(b, 15, SHT_STRTAB, 0, strOff, strs.length, 0, 0, 1, 0);
        section(b, 23, SHT_STRTAB, 0, shstrOff, shstrtab.length, 0, 0, 1, 0);
        return b.array();
    }

    private static void section(ByteBuffer b, int name, int type, long flags, long offset, long size, int link, int info, long align, long entsize) {
        b.putInt(name).putInt(type).putLong(flags).putLong(0).putLong(offset).putLong(size).putInt(link).putInt(info).putLong(align).putLong(entsize);
    }

    private static int align(int v, int a) {
        return (v + a - 1) & -a;
    }
}
