package org.bpfsdt.verifier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;

/**
 * Just enough of an ELF reader to take a program out of a clang object for verifier tests:
 * the program's code, {@code .text} subprograms it calls, and map references as
 * {@code BPF_PSEUDO_MAP_IDX} loads numbered by map symbol order. (The loader module owns real
 * object loading; this stays in the verifier's tests.)
 */
final class ElfPrograms {
    private record Section(String name, int type, long offset, long size, int link, int info) {
    }

    private record Sym(String name, int shndx, long value) {
    }

    private final ByteBuffer b;
    private final List<Section> sections = new ArrayList<>();
    private final List<Sym> syms = new ArrayList<>();
    /** Map symbols in order of appearance in {@code .maps}. */
    final List<String> mapNames = new ArrayList<>();

    ElfPrograms(Path file) throws IOException {
        b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = b.getShort(0x3a) & 0xffff;
        int shnum = b.getShort(0x3c) & 0xffff;
        int shstrndx = b.getShort(0x3e) & 0xffff;
        List<long[]> raw = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int o = (int) (shoff + (long) i * shentsize);
            raw.add(new long[] {b.getInt(o) & 0xffffffffL, b.getInt(o + 4), b.getLong(o + 0x18), b.getLong(o + 0x20), b.getInt(o + 0x28), b.getInt(o + 0x2c)});
        }
        long strOff = raw.get(shstrndx)[2];
        for (long[] r : raw) {
            sections.add(new Section(str(strOff + r[0]), (int) r[1], r[2], r[3], (int) r[4], (int) r[5]));
        }
        for (Section s : sections) {
            if (s.type == 2) { // SHT_SYMTAB
                long strtab = sections.get(s.link).offset;
                for (long o = s.offset; o < s.offset + s.size; o += 24) {
                    syms.add(new Sym(str(strtab + (b.getInt((int) o) & 0xffffffffL)), b.getShort((int) o + 6) & 0xffff, b.getLong((int) o + 8)));
                }
            }
        }
        int maps = index(".maps");
        if (maps >= 0) {
            syms.stream().filter(s -> s.shndx == maps && !s.name.isEmpty()).sorted((x, y) -> Long.compare(x.value, y.value))
                    .forEach(s -> mapNames.add(s.name));
        }
    }

    private String str(long off) {
        int end = (int) off;
        while (b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - (int) off];
        b.get((int) off, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private int index(String name) {
        for (int i = 0; i < sections.size(); i++) {
            if (sections.get(i).name.equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The instructions of function {@code name} (in section {@code section}) with the subprograms it calls appended. */
    List<Insn> program(String section, String name) {
        int sec = index(section);
        Sym fn = syms.stream().filter(s -> s.name.equals(name) && s.shndx == sec).findFirst().orElseThrow();
        List<Insn> code = insns(sec);
        int start = (int) (fn.value / 8);
        int end = code.size();
        for (Sym s : syms) {
            if (s.shndx == sec && s.value / 8 > start && s.value / 8 < end && !s.name.isEmpty() && !s.name.startsWith("LBB")) {
                end = (int) (s.value / 8);
            }
        }
        List<Insn> out = new ArrayList<>(code.subList(start, end));
        Map<Integer, Sym> relocs = relocations(sec);
        int text = index(".text");
        boolean needText = false;
        for (int i = start; i < end; i++) {
            Sym target = relocs.get(i);
            if (target != null && target.shndx == text && out.get(i - start).isLocalCall()) {
                needText = true;
            }
        }
        int textBase = out.size();
        if (needText) {
            out.addAll(insns(text));
        }
        Map<Integer, Sym> textRelocs = needText ? relocations(text) : Map.of();
        for (int i = 0; i < out.size(); i++) {
            Sym target = i < textBase ? relocs.get(start + i) : textRelocs.get(i - textBase);
            if (target == null) {
                continue;
            }
            Insn in = out.get(i);
            if (in.isLddw()) {
                int m = mapNames.indexOf(target.name);
                out.set(i, new Insn(Opcodes.LDDW, in.dst(), Opcodes.PSEUDO_MAP_IDX, 0, m));
            } else if (in.isLocalCall()) {
                int dest = textBase + (int) (target.value / 8) + in.imm() + 1;
                if (target.name.isEmpty() || syms.stream().anyMatch(s -> s == target && s.value != 0)) {
                    dest = textBase + (int) (target.value / 8);
                }
                out.set(i, in.withImm(dest - i - 1));
            }
        }
        return out;
    }

    private List<Insn> insns(int sec) {
        Section s = sections.get(sec);
        List<Insn> l = new ArrayList<>();
        for (long o = s.offset; o < s.offset + s.size; o += 8) {
            l.add(Insn.decode(b.getLong((int) o)));
        }
        return l;
    }

    private Map<Integer, Sym> relocations(int sec) {
        Map<Integer, Sym> m = new HashMap<>();
        for (Section s : sections) {
            if (s.type == 9 && s.info == sec) { // SHT_REL
                for (long o = s.offset; o < s.offset + s.size; o += 16) {
                    long off = b.getLong((int) o);
                    long info = b.getLong((int) o + 8);
                    m.put((int) (off / 8), syms.get((int) (info >>> 32)));
                }
            }
        }
        return m;
    }
}
