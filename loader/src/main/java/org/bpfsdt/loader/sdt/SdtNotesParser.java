package org.bpfsdt.loader.sdt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.ObjdumpFormatter;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.api.spi.InsnArrayValue;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.loader.elf.ByteView;
import org.bpfsdt.loader.elf.ElfFile;
import org.bpfsdt.loader.elf.ElfRelocation;
import org.bpfsdt.loader.elf.ElfSection;
import org.bpfsdt.loader.elf.ElfSymbol;

/**
 * Reads the SDT probes of an object ({@code include/bpf_sdt.h} and the RFC's header emit the
 * same layout): {@code .bpf_sdt_notes} holds, per probe, the label {@code ___sdt_jt_<name>}, an
 * 8-byte word with the NOP's byte offset in its code section (an {@code R_BPF_64_ABS64}
 * relocation against that section, the offset as implicit addend), then one never-executed
 * {@code rK = rS} per argument K whose source S is the register holding the argument at the NOP.
 * The BTF gives each probe's types: a VAR tagged {@code bpf_sdt:<name>:<N>} whose type is
 * {@code [CONST] PTR -> FUNC_PROTO}. Anything else fails, naming the probe and what is wrong.
 */
public final class SdtNotesParser {
    /** The notes section. */
    public static final String SECTION = ".bpf_sdt_notes";
    /** Prefix of each entry's label. */
    public static final String LABEL = "___sdt_jt_";
    /** Prefix of the declaration tags. */
    public static final String TAG = "bpf_sdt:";
    private static final int WORD = 8;

    private final ElfFile elf;
    private final Btf btf;
    private final String file;

    private SdtNotesParser(ElfFile elf, Btf btf) {
        this.elf = elf;
        this.btf = btf;
        this.file = elf.fileName();
    }

    /** The probes of {@code elf} in notes order; empty when it has no notes section. */
    public static List<SdtNote> parse(ElfFile elf, Btf btf) {
        return new SdtNotesParser(elf, btf).parse();
    }

    private record Label(String name, long offset) {
    }

    private List<SdtNote> parse() {
        Optional<ElfSection> opt = elf.section(SECTION);
        if (opt.isEmpty()) {
            return List.of();
        }
        ElfSection sec = opt.get();
        if (sec.type() != ElfSection.SHT_PROGBITS || sec.isExecutable()) {
            throw malformed(sec, "it must hold data (SHT_PROGBITS, not executable)");
        }
        if (sec.size() % WORD != 0) {
            throw malformed(sec, "its size " + sec.size() + " is not a multiple of 8 bytes");
        }
        ByteView data = elf.contents(sec, Errno.EINVAL);
        List<Label> labels = labels(sec);
        Map<Long, ElfRelocation> relocs = relocations(sec, labels);
        Map<String, DeclTag> tags = declarations();
        List<SdtNote> out = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            Label l = labels.get(i);
            long end = i + 1 < labels.size() ? labels.get(i + 1).offset() : sec.size();
            out.add(entry(sec, data, l, end, relocs.get(l.offset()), tags.get(l.name())));
        }
        return List.copyOf(out);
    }

    /** The entry labels, by offset; each entry runs to the next label. */
    private List<Label> labels(ElfSection sec) {
        List<Label> labels = new ArrayList<>();
        Map<String, Label> byName = new HashMap<>();
        for (ElfSymbol s : elf.symbols()) {
            if (s.shndx() != sec.index() || s.type() == ElfSymbol.STT_SECTION) {
                continue;
            }
            if (!s.name().startsWith(LABEL)) {
                throw malformed(sec, "symbol '" + s.name() + "' is not a probe label (" + LABEL + "<name>)");
            }
            String name = s.name().substring(LABEL.length());
            if (!InsnArrayValue.isProbeName(name)) {
                throw malformed(sec, "probe label '" + s.name() + "': a probe name has 1.." + (InsnArrayValue.SDT_NAME_LEN - 1)
                        + " characters of [A-Za-z0-9_.]");
            }
            if (s.value() < 0 || s.value() % WORD != 0 || s.value() >= sec.size()) {
                throw malformed(sec, "probe '" + name + "': its entry at offset " + s.value() + " is misaligned or outside the section");
            }
            Label l = new Label(name, s.value());
            if (byName.put(name, l) != null) {
                throw new BpfException(Errno.EINVAL, sec.describe(file) + ": probe name '" + name + "' is defined twice");
            }
            labels.add(l);
        }
        labels.sort(Comparator.comparingLong(Label::offset));
        for (int i = 0; i < labels.size(); i++) {
            Label l = labels.get(i);
            if (i == 0 && l.offset() != 0) {
                throw malformed(sec, "bytes 0.." + l.offset() + " belong to no probe (the first entry starts at " + l.offset() + ")");
            }
            if (i > 0 && labels.get(i - 1).offset() == l.offset()) {
                throw malformed(sec, "probes '" + labels.get(i - 1).name() + "' and '" + l.name() + "' start at the same offset " + l.offset());
            }
        }
        if (labels.isEmpty() && sec.size() > 0) {
            throw malformed(sec, "it holds " + sec.size() + " bytes but no probe label (" + LABEL + "<name>)");
        }
        return labels;
    }

    /** The relocation of each entry's offset word, by entry offset. */
    private Map<Long, ElfRelocation> relocations(ElfSection sec, List<Label> labels) {
        Map<Long, String> starts = new HashMap<>();
        labels.forEach(l -> starts.put(l.offset(), l.name()));
        Map<Long, ElfRelocation> out = new HashMap<>();
        for (ElfRelocation r : elf.relocations(sec.index())) {
            String probe = starts.get(r.offset());
            if (probe == null) {
                throw malformed(sec, "relocation at offset " + r.offset() + " (against '" + r.symbol().name()
                        + "') is not at the start of a probe entry");
            }
            if (out.put(r.offset(), r) != null) {
                throw malformed(sec, "probe '" + probe + "' has two relocations on its offset word");
            }
        }
        return out;
    }

    private SdtNote entry(ElfSection sec, ByteView data, Label l, long end, ElfRelocation r, DeclTag tag) {
        String what = sec.describe(file) + ": probe '" + l.name() + "'";
        long words = (end - l.offset()) / WORD;
        int nargs = (int) Math.min(words - 1, Integer.MAX_VALUE);
        if (nargs > FuncModel.MAX_REG_ARGS) {
            throw new BpfException(Errno.EINVAL, what + " records " + nargs + " argument registers; a probe takes at most "
                    + FuncModel.MAX_REG_ARGS + " arguments");
        }
        if (r == null) {
            throw new BpfException(Errno.EINVAL, what + ": its offset word has no relocation to the NOP's code section");
        }
        if (r.type() != ElfRelocation.R_BPF_64_ABS64) {
            throw new BpfException(Errno.EINVAL, what + ": its offset word needs an R_BPF_64_ABS64 relocation, not "
                    + ElfRelocation.typeName(r.type()));
        }
        ElfSymbol sym = r.symbol();
        ElfSection code = sym.isDefined() ? elf.section(sym.shndx()) : null;
        if (code == null || !code.isExecutable()) {
            throw new BpfException(Errno.EINVAL, what + ": its offset word refers to '" + sym.name() + "', which is not in a code section");
        }
        long byteOff = sym.value() + data.s64(l.offset());
        if (byteOff < 0 || byteOff % WORD != 0 || byteOff >= code.size()) {
            throw new BpfException(Errno.EINVAL, what + ": NOP offset " + byteOff + " is not an instruction of section '"
                    + code.name() + "' (" + code.size() + " bytes)");
        }
        int slot = (int) (byteOff / WORD);
        Insn nop = Insn.decode(elf.contents(code, Errno.EINVAL).s64(byteOff));
        if (!nop.equals(Insn.ja(0))) {
            throw new BpfException(Errno.EINVAL, what + ": instruction " + slot + " of section '" + code.name()
                    + "' is '" + ObjdumpFormatter.text(nop) + "', not the probe's 'goto +0'");
        }
        int[] regs = new int[nargs];
        for (int k = 0; k < nargs; k++) {
            Insn mov = Insn.decode(data.s64(l.offset() + WORD * (k + 1L)));
            if (mov.opcode() != (Opcodes.ALU64 | Opcodes.MOV | Opcodes.X) || mov.dst() != k + 1 || mov.off() != 0 || mov.imm() != 0
                    || mov.src() > InsnArrayValue.MAX_ARG_REG) {
                throw new BpfException(Errno.EINVAL, what + ": the record of argument " + (k + 1) + " is '" + ObjdumpFormatter.text(mov) + "', not 'r"
                        + (k + 1) + " = rN'");
            }
            regs[k] = mov.src();
        }
        if (tag == null) {
            throw new BpfException(Errno.EINVAL, what + " has no BTF declaration (a VAR tagged \"" + TAG + l.name() + ":" + nargs
                    + "\"): declare it with BPF_SDT_DECLARE" + nargs + " and compile with -g");
        }
        if (tag.nargs() != nargs) {
            throw new BpfException(Errno.EINVAL, what + " is declared with " + tag.nargs() + " arguments (\"" + tag.text()
                    + "\") but its site records " + nargs);
        }
        FuncModel model;
        try {
            model = FuncModel.ofProbe(btf, new SdtProbe(l.name(), slot, slot, tag.protoId(), regs));
        } catch (BpfException e) {
            throw e.withContext(file);
        }
        return new SdtNote(l.name(), code.name(), slot, regs, tag.protoId(), model);
    }

    private record DeclTag(String text, int nargs, int protoId) {
    }

    /** The {@code bpf_sdt:<name>:<N>} declarations of the BTF, by probe name. */
    private Map<String, DeclTag> declarations() {
        Map<String, DeclTag> out = new LinkedHashMap<>();
        if (btf == null) {
            return out;
        }
        for (int id = 1; id < btf.size(); id++) {
            if (!(btf.type(id) instanceof BtfType.DeclTag t) || !t.name().startsWith(TAG)) {
                continue;
            }
            String where = file + ": BTF [" + id + "] DECL_TAG \"" + t.name() + "\"";
            String rest = t.name().substring(TAG.length());
            int colon = rest.lastIndexOf(':');
            String name = colon < 0 ? "" : rest.substring(0, colon);
            int nargs = colon < 0 ? -1 : parseCount(rest.substring(colon + 1));
            if (!InsnArrayValue.isProbeName(name) || nargs < 0) {
                throw new BpfException(Errno.EINVAL, where + ": an SDT declaration tag reads " + TAG + "<name>:<N>");
            }
            if (nargs > FuncModel.MAX_REG_ARGS) {
                throw new BpfException(Errno.EINVAL, where + ": probe '" + name + "' is declared with " + nargs
                        + " arguments; a probe takes at most " + FuncModel.MAX_REG_ARGS);
            }
            if (t.componentIdx() != -1 || !(btf.type(t.type()) instanceof BtfType.Var v)) {
                throw new BpfException(Errno.EINVAL, where + ": it must tag a variable (the probe's __sdt_type_" + name + ")");
            }
            int ptr = btf.type(v.type()) instanceof BtfType.Const c ? c.type() : v.type();
            if (!(btf.type(ptr) instanceof BtfType.Ptr p) || !(btf.type(p.type()) instanceof BtfType.FuncProto)) {
                throw new BpfException(Errno.EINVAL, where + ": variable '" + v.name() + "' must be a pointer to a function prototype");
            }
            if (out.put(name, new DeclTag(t.name(), nargs, p.type())) != null) {
                throw new BpfException(Errno.EINVAL, where + ": probe '" + name + "' is declared twice");
            }
        }
        return out;
    }

    private static int parseCount(String s) {
        if (s.length() != 1 || s.charAt(0) < '0' || s.charAt(0) > '9') {
            return -1;
        }
        return s.charAt(0) - '0';
    }

    private BpfException malformed(ElfSection sec, String problem) {
        return new BpfException(Errno.EINVAL, sec.describe(file) + " is malformed: " + problem);
    }
}
