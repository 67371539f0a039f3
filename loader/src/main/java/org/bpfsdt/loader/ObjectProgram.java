package org.bpfsdt.loader;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.FuncInfo;
import org.bpfsdt.api.btf.LineInfo;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.ListingNotes;
import org.bpfsdt.api.isa.ObjdumpFormatter;
import org.bpfsdt.loader.object.CodeFunction;
import org.bpfsdt.loader.object.ProgramKind;
import org.bpfsdt.loader.object.SectionDefs;
import org.bpfsdt.loader.relo.LinkedProgram;

/**
 * A program of an opened object, configurable until the object is loaded (libbpf's
 * {@code bpf_program__set_*}). Its type and attach type come from its {@code SEC()} name.
 */
public final class ObjectProgram {
    private final ObjectFile object;
    private final CodeFunction code;
    private ProgramType type;
    private AttachType attachType;
    private String attachTarget;
    private BpfProgram attachProgram;
    private int attachBtfId;
    private int flags;
    private boolean autoload = true;
    private int logLevel;
    private String engine;
    private LinkedProgram linked;

    ObjectProgram(ObjectFile object, CodeFunction code) {
        this.object = object;
        this.code = code;
        ProgramKind kind = SectionDefs.kindOf(code.section()).orElse(null);
        this.type = kind == null ? null : kind.type();
        this.attachType = kind == null ? null : kind.attachType();
        this.attachTarget = kind == null ? "" : kind.attachTarget();
        this.flags = kind == null ? 0 : kind.progFlags();
    }

    /** The function's name. */
    public String name() {
        return code.name();
    }

    /** The {@code SEC()} name. */
    public String section() {
        return code.section();
    }

    /** The program type, or {@code null} when the section name implies none and none was set. */
    public ProgramType type() {
        return type;
    }

    public ObjectProgram setType(ProgramType t) {
        type = Objects.requireNonNull(t);
        return this;
    }

    /** The expected attach type, or {@code null}. */
    public AttachType attachType() {
        return attachType;
    }

    public ObjectProgram setAttachType(AttachType t) {
        attachType = t;
        return this;
    }

    /** What the program attaches to by name: the part of the section after the prefix ({@code fentry/foo}: {@code foo}; {@code bpf_sdt/probe}: {@code probe}). */
    public String attachTarget() {
        return attachTarget;
    }

    /** The target program ({@code bpf_program__set_attach_target}), or {@code null}. */
    public BpfProgram attachProgram() {
        return attachProgram;
    }

    /**
     * {@code bpf_program__set_attach_target}: attach to {@code program}'s function or SDT probe
     * {@code name} ({@code null} keeps the name from the section). For an SDT observer
     * ({@link AttachType#TRACE_SDT}) {@code name} is the probe's name.
     */
    public ObjectProgram setAttachTarget(BpfProgram program, String name) {
        attachProgram = program;
        if (name != null) {
            attachTarget = name;
        }
        return this;
    }

    public int attachBtfId() {
        return attachBtfId;
    }

    /** The attach target's BTF id (for tracing programs that name their target by id). */
    public ObjectProgram setAttachBtfId(int id) {
        attachBtfId = id;
        return this;
    }

    /** {@code prog_flags} ({@code BPF_F_XDP_HAS_FRAGS} for {@code xdp.frags}, {@code BPF_F_SLEEPABLE} for {@code *.s} sections). */
    public int flags() {
        return flags;
    }

    public ObjectProgram setFlags(int f) {
        flags = f;
        return this;
    }

    /** Whether {@link ObjectFile#load} loads it (default true). */
    public boolean autoload() {
        return autoload;
    }

    public ObjectProgram setAutoload(boolean b) {
        autoload = b;
        return this;
    }

    public int logLevel() {
        return logLevel;
    }

    /** The verifier log level for its load: 0 none, 1 the failing path, 2 everything. */
    public ObjectProgram setLogLevel(int level) {
        logLevel = level;
        return this;
    }

    public String engine() {
        return engine;
    }

    /** An engine to run it on by name, overriding the runtime's choice; {@code null} lets the runtime choose. */
    public ObjectProgram setEngine(String name) {
        engine = name;
        return this;
    }

    /** The program's instructions as loaded: subprograms appended, map loads as indices into {@link #mapNames()}, CO-RE applied. */
    public List<Insn> instructions() {
        return linked().insns();
    }

    /** Instruction slots as loaded (with subprograms). */
    public int instructionCount() {
        return linked().insns().size();
    }

    /** The maps the program uses, by name, in the order of its map array. */
    public List<String> mapNames() {
        return linked().maps().stream().map(i -> object.maps().get(i).name()).toList();
    }

    /** The subprograms appended to it, in order. */
    public List<String> subprograms() {
        return linked().subprograms().stream().map(LinkedProgram.Placement::name).toList();
    }

    /** The SDT probes whose NOPs its code contains (its subprograms' included), by name, with the NOP's slot, in slot order. */
    public java.util.Map<String, Integer> sdtProbes() {
        java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
        linked().sdtProbes().forEach(p -> out.put(p.note().name(), p.insn()));
        return java.util.Collections.unmodifiableMap(out);
    }

    public List<FuncInfo> funcInfo() {
        return linked().funcInfo();
    }

    public List<LineInfo> lineInfo() {
        return linked().lineInfo();
    }

    /** A disassembly in {@code llvm-objdump -d -l} style with function labels and source lines from BTF. */
    public String disassembly() {
        LinkedProgram lp = linked();
        Map<Integer, String> functions = new LinkedHashMap<>();
        functions.put(0, name());
        lp.subprograms().forEach(p -> functions.put(p.start(), p.name()));
        return ObjdumpFormatter.format(lp.insns(), ListingNotes.of(functions, lp.lineInfo()));
    }

    LinkedProgram linked() {
        if (linked == null) {
            linked = object.linker().link(code);
        }
        return linked;
    }

    /** The type, or a clear error when neither the section name nor the caller gave one. */
    ProgramType requireType() {
        if (type == null) {
            throw new BpfException(Errno.EINVAL, object.fileName() + ": program '" + name() + "': section '" + section()
                    + "' names no known program type; set one with setType()");
        }
        return type;
    }
}
