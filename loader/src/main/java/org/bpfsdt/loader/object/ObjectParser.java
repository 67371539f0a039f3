package org.bpfsdt.loader.object;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.InsnCodec;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.loader.MapKind;
import org.bpfsdt.loader.btf.BtfExt;
import org.bpfsdt.loader.btf.BtfExtParser;
import org.bpfsdt.loader.btf.BtfParser;
import org.bpfsdt.loader.btf.BtfValidator;
import org.bpfsdt.loader.btf.RawBtf;
import org.bpfsdt.loader.elf.ByteView;
import org.bpfsdt.loader.elf.ElfFile;
import org.bpfsdt.loader.elf.ElfRelocation;
import org.bpfsdt.loader.elf.ElfSection;
import org.bpfsdt.loader.elf.ElfSymbol;
import org.bpfsdt.loader.sdt.SdtNote;
import org.bpfsdt.loader.sdt.SdtNotesParser;

/**
 * Turns an ELF file into a {@link ParsedObject} with libbpf's {@code bpf_object__open}
 * semantics: programs from the symbols of code sections, {@code .text} functions as
 * subprograms, BTF-defined maps, global data sections as single-entry array maps, and every
 * relocation of code classified and checked. Whatever is wrong fails here, naming the place.
 */
public final class ObjectParser {
    public static final String TEXT = ".text";
    public static final String MAPS = ".maps";
    /** Global data larger than this is refused before its initial value is allocated (the kernel caps map values too). */
    static final long MAX_DATA_SECTION = 64L << 20;

    private final ElfFile elf;
    private final String file;
    private final List<String> notes = new ArrayList<>();
    private Btf btf;
    private final List<MapDefinition> maps = new ArrayList<>();
    /** ELF section index -> index in {@link #maps} of its global data map. */
    private final Map<Integer, Integer> dataMapBySection = new HashMap<>();
    /** {@code .maps} offset -> map index, and where each map's {@code values} array starts. */
    private final Map<Long, Integer> mapByOffset = new HashMap<>();
    private final Map<Integer, long[]> valuesRange = new HashMap<>();

    private ObjectParser(ElfFile elf) {
        this.elf = elf;
        this.file = elf.fileName();
    }

    /** Parses {@code bytes}; {@code fileName} names the object (and its global data maps). */
    public static ParsedObject parse(byte[] bytes, String fileName) {
        return new ObjectParser(ElfFile.parse(bytes, fileName)).parse();
    }

    /** libbpf's object name: the file's base name up to its first dot. */
    public static String objectName(String fileName) {
        String base = fileName.substring(fileName.lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }

    private BpfException error(ElfSection s, String message) {
        return new BpfException(Errno.EINVAL, s.describe(file) + ": " + message);
    }

    private ParsedObject parse() {
        String license = readLicense();
        // a truncated kernel version word is refused; its value is unused (kernels ignore kern_version since 5.0)
        elf.section("version").ifPresent(s -> elf.contents(s, Errno.EINVAL).u32(0));
        BtfExt ext = readBtf();
        if (elf.section("maps").isPresent()) {
            throw error(elf.section("maps").get(), "legacy map definitions (struct bpf_map_def in SEC(\"maps\")) are not supported,"
                    + " as in libbpf 1.0; use BTF-defined maps in SEC(\".maps\")");
        }
        readDefinedMaps();
        readDataMaps();
        List<CodeFunction> programs = new ArrayList<>(), subprograms = new ArrayList<>();
        for (ElfSection s : elf.sections()) {
            if (s.isExecutable() && s.size() > 0) {
                for (CodeFunction f : readFunctions(s)) {
                    (f.isSubprogram() ? subprograms : programs).add(f);
                }
            }
        }
        requireUniqueNames(programs.stream().map(CodeFunction::name).toList(), "programs");
        requireUniqueNames(maps.stream().map(MapDefinition::name).toList(), "maps");
        readMapRelocations(programs);
        noteIgnoredRelocations();
        List<SdtNote> sdt = SdtNotesParser.parse(elf, btf);
        ParsedObject obj = new ParsedObject(elf, objectName(file), license, btf, ext, programs, subprograms, maps,
                readGlobals(), sdt, notes);
        checkCallTargets(obj);
        checkProbeSites(obj);
        return obj;
    }

    private void requireUniqueNames(List<String> names, String what) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new BpfException(Errno.EINVAL, file + ": two " + what + " are named '" + n + "'");
            }
        }
    }

    private String readLicense() {
        Optional<ElfSection> s = elf.section("license");
        if (s.isEmpty()) {
            return "";
        }
        byte[] b = elf.contents(s.get(), Errno.EINVAL).bytes();
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    // ---- BTF ----

    private BtfExt readBtf() {
        Optional<ElfSection> sec = elf.section(".BTF");
        if (sec.isEmpty()) {
            return BtfExt.EMPTY;
        }
        RawBtf raw = BtfParser.parse(elf.contents(sec.get(), Errno.EINVAL));
        List<BtfType> types = fixDatasecs(new ArrayList<>(raw.types()));
        btf = BtfValidator.validate(types, sec.get().describe(file));
        Optional<ElfSection> extSec = elf.section(".BTF.ext");
        return extSec.isEmpty() ? BtfExt.EMPTY : BtfExtParser.parse(elf.contents(extSec.get(), Errno.EINVAL), raw, btf);
    }

    /**
     * Completes DATASECs as libbpf's {@code btf_fixup_datasec} does: a size of 0 takes the ELF
     * section's size and then each global variable's offset comes from its symbol; a global
     * variable of hidden visibility becomes static.
     */
    private List<BtfType> fixDatasecs(List<BtfType> types) {
        for (int id = 1; id < types.size(); id++) {
            if (!(types.get(id) instanceof BtfType.Datasec d)) {
                continue;
            }
            Optional<ElfSection> sec = elf.section(d.name());
            if (sec.isEmpty()) {
                continue; // .kconfig, .ksyms: externs, no ELF section
            }
            boolean fixOffsets = d.size() == 0;
            List<BtfType.VarSecInfo> vars = new ArrayList<>();
            for (BtfType.VarSecInfo vi : d.vars()) {
                int offset = vi.offset();
                if (vi.type() > 0 && vi.type() < types.size() && types.get(vi.type()) instanceof BtfType.Var v && v.linkage() == 1) {
                    ElfSymbol sym = findVarSymbol(v.name(), sec.get().index());
                    if (sym == null) {
                        throw error(sec.get(), "no symbol for global variable '" + v.name() + "' of its BTF DATASEC");
                    }
                    if (fixOffsets) {
                        offset = (int) sym.value();
                    }
                    if (sym.visibility() == ElfSymbol.STV_HIDDEN) {
                        types.set(vi.type(), new BtfType.Var(v.name(), v.type(), 0));
                    }
                }
                vars.add(new BtfType.VarSecInfo(vi.type(), offset, vi.size()));
            }
            types.set(id, new BtfType.Datasec(d.name(), fixOffsets ? (int) sec.get().size() : d.size(), vars));
        }
        return types;
    }

    private ElfSymbol findVarSymbol(String name, int shndx) {
        for (ElfSymbol s : elf.symbols()) {
            if (s.shndx() == shndx && s.isGlobal() && s.type() == ElfSymbol.STT_OBJECT && s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    private Btf requireBtf(ElfSection s, String why) {
        if (btf == null) {
            throw error(s, why + " needs BTF, and the object has no .BTF section (compile with -g)");
        }
        return btf;
    }

    // ---- maps ----

    private void readDefinedMaps() {
        Optional<ElfSection> opt = elf.section(MAPS);
        if (opt.isEmpty()) {
            return;
        }
        ElfSection sec = opt.get();
        Btf b = requireBtf(sec, "BTF-defined maps");
        Optional<Integer> ds = b.find(org.bpfsdt.api.btf.BtfKind.DATASEC, MAPS);
        if (ds.isEmpty()) {
            throw error(sec, "no BTF DATASEC describes the map definitions");
        }
        for (BtfType.VarSecInfo vi : ((BtfType.Datasec) b.type(ds.get())).vars()) {
            if (!(b.type(vi.type()) instanceof BtfType.Var v)) {
                throw error(sec, "DATASEC entry [" + vi.type() + "] is not a variable");
            }
            long off = Integer.toUnsignedLong(vi.offset()), size = Integer.toUnsignedLong(vi.size());
            if (off + size > sec.size()) {
                throw error(sec, "map '" + v.name() + "' at offset " + off + " (" + size + " bytes) lies outside the section");
            }
            BtfMapParser p = new BtfMapParser(b, sec.describe(file));
            MapDefinition def = p.parse(v.name(), sanitize(truncate(v.name())), v.type(), false, notes);
            if (mapByOffset.put(off, maps.size()) != null) {
                throw error(sec, "two maps at offset " + off);
            }
            if (p.valuesOffset >= 0) {
                valuesRange.put(maps.size(), new long[] {off + p.valuesOffset, off + size});
            }
            maps.add(def);
        }
    }

    private void readDataMaps() {
        String objName = objectName(file);
        for (ElfSection s : elf.sections()) {
            MapKind kind = dataKind(s);
            if (kind == null) {
                continue;
            }
            if (s.size() > MAX_DATA_SECTION) {
                throw new BpfException(Errno.E2BIG, s.describe(file) + ": global data section of " + s.size()
                        + " bytes exceeds the " + MAX_DATA_SECTION + "-byte limit of a map value");
            }
            byte[] init = kind == MapKind.BSS ? new byte[(int) s.size()] : elf.contents(s, Errno.EINVAL).bytes();
            int datasec = btf == null ? 0 : btf.find(org.bpfsdt.api.btf.BtfKind.DATASEC, s.name()).orElse(0);
            int flags = kind == MapKind.RODATA ? MapFlags.RDONLY_PROG : 0;
            if (hasExposedVars(datasec)) {
                flags |= MapFlags.MMAPABLE;
            }
            dataMapBySection.put(s.index(), maps.size());
            maps.add(new MapDefinition(s.name(), internalMapName(objName, s.name()), kind, MapType.ARRAY, 4, (int) s.size(), 1,
                    flags, 0, 0, datasec, init, List.of(), null));
        }
    }

    /** The kind of global data {@code s} holds, or {@code null} when it is no data section (libbpf's rules). */
    private static MapKind dataKind(ElfSection s) {
        String n = s.name();
        if (s.type() == ElfSection.SHT_PROGBITS && s.size() > 0 && (s.flags() & ElfSection.SHF_EXECINSTR) == 0) {
            if (n.equals(".data") || n.startsWith(".data.")) {
                return MapKind.DATA;
            }
            if (n.equals(".rodata") || n.startsWith(".rodata.")) {
                return MapKind.RODATA;
            }
        }
        if (s.type() == ElfSection.SHT_NOBITS && s.size() > 0 && (n.equals(".bss") || n.startsWith(".bss."))) {
            return MapKind.BSS;
        }
        return null;
    }

    private boolean hasExposedVars(int datasec) {
        if (datasec == 0) {
            return false;
        }
        for (BtfType.VarSecInfo vi : ((BtfType.Datasec) btf.type(datasec)).vars()) {
            if (btf.type(vi.type()) instanceof BtfType.Var v && v.linkage() != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * libbpf's {@code internal_map_name}: as much of the object name as fits before a suffix of at
     * least 7 characters ({@code my_objec.rodata}); a custom section ({@code .data.foo}) keeps its own name.
     */
    static String internalMapName(String objName, String section) {
        int sfx = Math.min(Math.max(7, section.length()), MapSpec.MAX_NAME_LEN);
        int pfx = section.indexOf('.', 1) >= 0 ? 0 : Math.min(MapSpec.MAX_NAME_LEN - sfx, objName.length());
        String name = objName.substring(0, pfx) + section.substring(0, Math.min(sfx, section.length()));
        return sanitize(name);
    }

    private static String truncate(String s) {
        return s.length() > MapSpec.MAX_NAME_LEN ? s.substring(0, MapSpec.MAX_NAME_LEN) : s;
    }

    /** The kernel allows letters, digits, {@code _} and {@code .} in object names. */
    private static String sanitize(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            sb.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '.') ? c : '_');
        }
        return sb.toString();
    }

    /** {@code __array(values, ...)} initialisers: relocations in {@code .maps} naming programs (or inner maps). */
    private void readMapRelocations(List<CodeFunction> programs) {
        Optional<ElfSection> opt = elf.section(MAPS);
        if (opt.isEmpty()) {
            return;
        }
        ElfSection sec = opt.get();
        for (ElfRelocation r : elf.relocations(sec.index())) {
            int mapIndex = -1;
            for (Map.Entry<Integer, long[]> e : valuesRange.entrySet()) {
                if (r.offset() >= e.getValue()[0] && r.offset() < e.getValue()[1]) {
                    mapIndex = e.getKey();
                }
            }
            if (mapIndex < 0) {
                throw error(sec, "relocation at offset " + r.offset() + " (against '" + r.symbol().name()
                        + "') is not inside any map's 'values' initialiser");
            }
            MapDefinition def = maps.get(mapIndex);
            long rel = r.offset() - valuesRange.get(mapIndex)[0];
            if (rel % 8 != 0 || r.type() != ElfRelocation.R_BPF_64_ABS64) {
                throw error(sec, "map '" + def.name() + "': initialiser relocation at offset " + r.offset() + " is not an aligned "
                        + "R_BPF_64_ABS64 (" + ElfRelocation.typeName(r.type()) + ")");
            }
            int slot = (int) (rel / 8);
            String target = r.symbol().name();
            if (def.keySize() != 4) {
                throw error(sec, "map '" + def.name() + "': an initialised " + def.type() + " needs 4-byte keys, not " + def.keySize());
            }
            if (def.type() == MapType.PROG_ARRAY) {
                boolean isProgram = programs.stream().anyMatch(p -> p.name().equals(target));
                if (!isProgram || r.symbol().type() != ElfSymbol.STT_FUNC) {
                    throw error(sec, "map '" + def.name() + "': slot " + slot + " refers to '" + target + "', which is not a program");
                }
            } else if (maps.stream().noneMatch(m -> m.kind() == MapKind.DEFINED && m.name().equals(target))) {
                throw error(sec, "map '" + def.name() + "': slot " + slot + " refers to '" + target + "', which is not a map");
            }
            List<String> slots = new ArrayList<>(def.initialSlots());
            while (slots.size() <= slot) {
                slots.add(null);
            }
            slots.set(slot, target);
            maps.set(mapIndex, def.withInitialSlots(slots));
        }
    }

    /** Relocations of global data hold addresses programs cannot use; libbpf skips them, and so do we, saying so. */
    private void noteIgnoredRelocations() {
        for (Map.Entry<Integer, Integer> e : dataMapBySection.entrySet()) {
            List<ElfRelocation> relos = elf.relocations(e.getKey());
            if (!relos.isEmpty()) {
                notes.add("section '" + elf.section(e.getKey()).name() + "': " + relos.size()
                        + " address relocation(s) ignored, as libbpf does (global data cannot hold addresses)");
            }
        }
    }

    private List<GlobalVar> readGlobals() {
        List<GlobalVar> out = new ArrayList<>();
        for (int i = 0; i < maps.size(); i++) {
            MapDefinition m = maps.get(i);
            if (!m.kind().isGlobalData() || m.btfValueTypeId() == 0) {
                continue;
            }
            for (BtfType.VarSecInfo vi : ((BtfType.Datasec) btf.type(m.btfValueTypeId())).vars()) {
                if (Integer.toUnsignedLong(vi.offset()) + Integer.toUnsignedLong(vi.size()) > m.valueSize()) {
                    throw new BpfException(Errno.EINVAL, file + ": section '" + m.name() + "': variable [" + vi.type() + "] at offset "
                            + Integer.toUnsignedLong(vi.offset()) + " (" + Integer.toUnsignedLong(vi.size()) + " bytes) lies outside the section's "
                            + m.valueSize() + " bytes");
                }
                if (btf.type(vi.type()) instanceof BtfType.Var v) {
                    out.add(new GlobalVar(v.name(), i, vi.offset(), vi.size(), v.type(), v.linkage() != 0));
                }
            }
        }
        return out;
    }

    // ---- code ----

    private List<CodeFunction> readFunctions(ElfSection sec) {
        if (sec.size() % 8 != 0) {
            throw error(sec, "code size " + sec.size() + " is not a multiple of 8 bytes");
        }
        List<Insn> insns = InsnCodec.decode(elf.contents(sec, Errno.EINVAL).bytes());
        boolean text = TEXT.equals(sec.name());
        if (!text && SectionDefs.kindOf(sec.name()).isEmpty()) {
            notes.add("section '" + sec.name() + "': no program type is known for this name; programs in it need a type set before load");
        }
        List<ElfSymbol> syms = new ArrayList<>();
        for (ElfSymbol s : elf.symbols()) {
            if (s.shndx() == sec.index() && s.type() == ElfSymbol.STT_FUNC) {
                syms.add(s);
            }
        }
        syms.sort(Comparator.comparingLong(ElfSymbol::value));
        List<CodeFunction> out = new ArrayList<>();
        long prevEnd = 0;
        for (ElfSymbol s : syms) {
            if (s.value() < 0 || s.size() <= 0 || s.value() % 8 != 0 || s.size() % 8 != 0 || s.value() > sec.size()
                    || s.size() > sec.size() - s.value()) {
                throw error(sec, "function '" + s.name() + "' at offset " + s.value() + " (" + s.size()
                        + " bytes) is misaligned or crosses the section's end (" + sec.size() + " bytes)");
            }
            if (s.value() < prevEnd) {
                throw error(sec, "function '" + s.name() + "' at offset " + s.value() + " overlaps the function before it");
            }
            prevEnd = s.value() + s.size();
            if (!text && !s.isGlobal()) {
                throw new BpfException(Errno.EOPNOTSUPP, sec.describe(file) + ": program '" + s.name()
                        + "' is static; programs must be global functions (as libbpf requires)");
            }
            int start = (int) (s.value() / 8), count = (int) (s.size() / 8);
            out.add(new CodeFunction(s.name(), sec.name(), start, insns.subList(start, start + count), s.isGlobal(), List.of()));
        }
        if (out.isEmpty()) {
            notes.add("section '" + sec.name() + "': code without function symbols is ignored");
            return out;
        }
        return attachRelocations(sec, insns, out);
    }

    private List<CodeFunction> attachRelocations(ElfSection sec, List<Insn> insns, List<CodeFunction> funcs) {
        Map<CodeFunction, List<InsnRelo>> relos = new HashMap<>();
        Map<Integer, ElfRelocation> bySlot = new HashMap<>();
        for (ElfRelocation r : elf.relocations(sec.index())) {
            if (r.offset() % 8 != 0) {
                throw error(sec, "relocation at offset " + r.offset() + " is not on an instruction boundary");
            }
            if (bySlot.put((int) (r.offset() / 8), r) != null) {
                throw error(sec, "two relocations for the instruction at offset " + r.offset());
            }
        }
        for (CodeFunction f : funcs) {
            List<InsnRelo> list = new ArrayList<>();
            for (int i = 0; i < f.insns().size(); i++) {
                int slot = f.sectionInsn() + i;
                ElfRelocation r = bySlot.remove(slot);
                Insn insn = f.insns().get(i);
                if (r != null) {
                    list.add(classify(sec, f, i, insns, r));
                } else if (insn.isLocalCall()) {
                    if (!TEXT.equals(sec.name())) {
                        throw error(sec, "program '" + f.name() + "' insn " + i + ": call without relocation to a function outside .text");
                    }
                    list.add(new InsnRelo.SubprogCall(i, slot + insn.imm() + 1));
                } else if (insn.isLddw() && insn.src() == Opcodes.PSEUDO_FUNC) {
                    throw error(sec, "function '" + f.name() + "' insn " + i + ": function address load without relocation");
                }
                if (insn.isLddw()) {
                    i++;
                }
            }
            relos.put(f, list);
        }
        if (!bySlot.isEmpty()) {
            int slot = bySlot.keySet().iterator().next();
            throw error(sec, "relocation at instruction " + slot + " (against '" + bySlot.get(slot).symbol().name()
                    + "') is not inside any function, or hits the second half of an LDDW");
        }
        return funcs.stream().map(f -> new CodeFunction(f.name(), f.section(), f.sectionInsn(), f.insns(), f.global(), relos.get(f))).toList();
    }

    private InsnRelo classify(ElfSection sec, CodeFunction f, int i, List<Insn> insns, ElfRelocation r) {
        Insn insn = f.insns().get(i);
        ElfSymbol sym = r.symbol();
        String at = "function '" + f.name() + "' insn " + i + ": relocation against '" + sym.name() + "'";
        if (!sym.isDefined()) {
            throw new BpfException(Errno.EOPNOTSUPP, sec.describe(file) + ": " + at + ": '" + sym.name()
                    + "' is an extern (kfuncs, kconfig and ksyms externs are not supported)");
        }
        ElfSection target = elf.section(sym.shndx());
        if (insn.opcode() == Opcodes.CALL_OP) {
            if (insn.src() != Opcodes.PSEUDO_CALL) {
                throw error(sec, at + ": the call is not a bpf-to-bpf call (src_reg " + insn.src() + ")");
            }
            if (r.type() != ElfRelocation.R_BPF_64_32) {
                throw error(sec, at + ": a call needs R_BPF_64_32, not " + ElfRelocation.typeName(r.type()));
            }
            if (!TEXT.equals(target.name())) {
                throw error(sec, at + ": called functions must be in .text, '" + sym.name() + "' is in '" + target.name() + "'");
            }
            if (sym.value() % 8 != 0) {
                throw error(sec, at + ": symbol offset " + sym.value() + " is not a multiple of 8");
            }
            return new InsnRelo.SubprogCall(i, (int) (sym.value() / 8) + insn.imm() + 1);
        }
        if (!insn.isLddw()) {
            throw error(sec, at + ": instruction (opcode 0x" + Integer.toHexString(insn.opcode()) + ") is neither an LDDW nor a call");
        }
        if (i + 1 >= f.insns().size()) {
            throw error(sec, at + ": LDDW is truncated at the end of the function");
        }
        if (r.type() != ElfRelocation.R_BPF_64_64) {
            throw error(sec, at + ": an LDDW needs R_BPF_64_64, not " + ElfRelocation.typeName(r.type()));
        }
        long addend = insn.imm() & 0xffffffffL;
        if (TEXT.equals(target.name()) || target.isExecutable()) {
            long byteOff = sym.value() + insn.imm();
            if (!TEXT.equals(target.name()) || byteOff % 8 != 0 || byteOff < 0 || byteOff >= target.size()) {
                throw error(sec, at + ": function address must point at an instruction of .text");
            }
            return new InsnRelo.SubprogAddr(i, (int) (byteOff / 8));
        }
        if (MAPS.equals(target.name())) {
            Integer map = mapByOffset.get(sym.value() + addend);
            if (map == null) {
                throw error(sec, at + ": offset " + (sym.value() + addend) + " of .maps does not start a map definition");
            }
            return new InsnRelo.MapLoad(i, map);
        }
        Integer map = dataMapBySection.get(target.index());
        if (map == null) {
            throw error(sec, at + ": section '" + target.name() + "' is neither a map nor global data");
        }
        long off = sym.value() + addend;
        if (off < 0 || off >= target.size()) {
            throw error(sec, at + ": offset " + off + " lies outside '" + target.name() + "' (" + target.size() + " bytes)");
        }
        return new InsnRelo.DataLoad(i, map, off);
    }

    /** Every SDT probe's NOP must lie inside a function, which is how it reaches a program. */
    private void checkProbeSites(ParsedObject obj) {
        for (SdtNote n : obj.sdtNotes()) {
            boolean inFunction = java.util.stream.Stream.concat(obj.programs().stream(), obj.subprograms().stream())
                    .anyMatch(f -> f.section().equals(n.section()) && f.containsSlot(n.sectionInsn()));
            if (!inFunction) {
                throw new BpfException(Errno.EINVAL, file + ": SDT probe '" + n.name() + "': its NOP (section '" + n.section()
                        + "' insn " + n.sectionInsn() + ") is not inside any function");
            }
        }
    }

    /** Every call and function address must land on the start of a {@code .text} function. */
    private void checkCallTargets(ParsedObject obj) {
        List<CodeFunction> all = new ArrayList<>(obj.programs());
        all.addAll(obj.subprograms());
        for (CodeFunction f : all) {
            for (InsnRelo r : f.relos()) {
                int target = switch (r) {
                    case InsnRelo.SubprogCall c -> c.target();
                    case InsnRelo.SubprogAddr a -> a.target();
                    default -> -1;
                };
                if (target >= 0 && obj.subprogramAt(target).isEmpty()) {
                    throw new BpfException(Errno.EINVAL, file + ": section '" + f.section() + "': function '" + f.name() + "' insn "
                            + r.insn() + ": call target (.text instruction " + target + ") is not the start of a function");
                }
            }
        }
    }
}
