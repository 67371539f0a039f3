package org.bpfsdt.api;

import java.util.List;
import java.util.Objects;

import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.FuncInfo;
import org.bpfsdt.api.btf.LineInfo;
import org.bpfsdt.api.isa.Insn;

/**
 * The attributes of {@code BPF_PROG_LOAD}.
 *
 * <p>Maps are referenced from LDDW instructions either by id ({@code BPF_PSEUDO_MAP_FD} /
 * {@code BPF_PSEUDO_MAP_VALUE}, imm = map id) or by index into {@link #maps()}
 * ({@code BPF_PSEUDO_MAP_IDX} / {@code BPF_PSEUDO_MAP_IDX_VALUE}), as the kernel's
 * {@code fd_array}. The runtime takes its own references; the caller keeps its handles.
 *
 * @param type               program type
 * @param expectedAttachType attach type, or {@code null}
 * @param name               program name (kernel keeps {@link #MAX_NAME_LEN} characters)
 * @param insns              instruction slots
 * @param license            license string ({@code "GPL"} and compatible ones allow GPL-only helpers)
 * @param maps               the program's map array ({@code fd_array})
 * @param btf                the program's BTF, or {@code null}
 * @param funcInfo           BTF.ext func_info, by instruction offset
 * @param lineInfo           BTF.ext line_info, by instruction offset
 * @param attachBtfId        for tracing programs: the BTF id of the attach target
 * @param attachProgram      the target program ({@code attach_prog_fd}; for SDT observers {@code sdt.target_prog_fd}), or {@code null}
 * @param sdtProbeName       for {@link AttachType#TRACE_SDT}: the probe's name ({@code sdt.name}), or {@code null}
 * @param sdtMap             for a program with SDT probes: its INSN_ARRAY map with the SDT flag ({@code sdt_map_fd}), or {@code null}
 * @param logLevel           0 none, 1 the failing path, 2 every instruction
 * @param flags              {@code prog_flags}
 * @param engine             an engine to use by name (overrides resolution), or {@code null}
 */
public record ProgSpec(ProgramType type, AttachType expectedAttachType, String name, List<Insn> insns, String license,
                       List<BpfMap> maps, Btf btf, List<FuncInfo> funcInfo, List<LineInfo> lineInfo,
                       int attachBtfId, BpfProgram attachProgram, String sdtProbeName, BpfMap sdtMap,
                       int logLevel, int flags, String engine) {
    /** Characters of a program name the kernel keeps ({@code BPF_OBJ_NAME_LEN} less the NUL). */
    public static final int MAX_NAME_LEN = 15;

    public ProgSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(insns, "insns");
        insns = List.copyOf(insns);
        name = name == null ? "" : name;
        license = license == null ? "" : license;
        maps = maps == null ? List.of() : List.copyOf(maps);
        funcInfo = funcInfo == null ? List.of() : List.copyOf(funcInfo);
        lineInfo = lineInfo == null ? List.of() : List.copyOf(lineInfo);
    }

    /** A program of {@code type} with these instructions and nothing else. */
    public static ProgSpec of(ProgramType type, List<Insn> insns) {
        return builder(type, insns).build();
    }

    public static Builder builder(ProgramType type, List<Insn> insns) {
        return new Builder(type, insns);
    }

    public Builder toBuilder() {
        Builder b = new Builder(type, insns);
        b.expectedAttachType = expectedAttachType;
        b.name = name;
        b.license = license;
        b.maps = maps;
        b.btf = btf;
        b.funcInfo = funcInfo;
        b.lineInfo = lineInfo;
        b.attachBtfId = attachBtfId;
        b.attachProgram = attachProgram;
        b.sdtProbeName = sdtProbeName;
        b.sdtMap = sdtMap;
        b.logLevel = logLevel;
        b.flags = flags;
        b.engine = engine;
        return b;
    }

    /** Builds a {@link ProgSpec}; every field but type and instructions is optional. */
    public static final class Builder {
        private final ProgramType type;
        private List<Insn> insns;
        private AttachType expectedAttachType;
        private String name = "";
        private String license = "";
        private List<BpfMap> maps = List.of();
        private Btf btf;
        private List<FuncInfo> funcInfo = List.of();
        private List<LineInfo> lineInfo = List.of();
        private int attachBtfId;
        private BpfProgram attachProgram;
        private String sdtProbeName;
        private BpfMap sdtMap;
        private int logLevel;
        private int flags;
        private String engine;

        private Builder(ProgramType type, List<Insn> insns) {
            this.type = type;
            this.insns = insns;
        }

        public Builder insns(List<Insn> v) { this.insns = v; return this; }
        public Builder expectedAttachType(AttachType v) { this.expectedAttachType = v; return this; }
        public Builder name(String v) { this.name = v; return this; }
        public Builder license(String v) { this.license = v; return this; }
        public Builder maps(List<BpfMap> v) { this.maps = v; return this; }
        public Builder btf(Btf v) { this.btf = v; return this; }
        public Builder funcInfo(List<FuncInfo> v) { this.funcInfo = v; return this; }
        public Builder lineInfo(List<LineInfo> v) { this.lineInfo = v; return this; }
        public Builder attachBtfId(int v) { this.attachBtfId = v; return this; }
        public Builder attachProgram(BpfProgram v) { this.attachProgram = v; return this; }
        public Builder sdtProbeName(String v) { this.sdtProbeName = v; return this; }
        public Builder sdtMap(BpfMap v) { this.sdtMap = v; return this; }
        public Builder logLevel(int v) { this.logLevel = v; return this; }
        public Builder flags(int v) { this.flags = v; return this; }
        public Builder engine(String v) { this.engine = v; return this; }

        public ProgSpec build() {
            return new ProgSpec(type, expectedAttachType, name, insns, license, maps, btf, funcInfo, lineInfo,
                    attachBtfId, attachProgram, sdtProbeName, sdtMap, logLevel, flags, engine);
        }
    }
}
