package org.bpfsdt.api.spi;

import java.util.List;
import java.util.function.IntFunction;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.FuncInfo;
import org.bpfsdt.api.btf.LineInfo;
import org.bpfsdt.api.isa.Insn;

/**
 * Everything the verifier needs to check one program.
 *
 * @param type          program type
 * @param attachType    expected attach type, or {@code null}
 * @param insns         the program as loaded (map loads by {@code BPF_PSEUDO_MAP_IDX[_VALUE]} index into {@link #maps})
 * @param maps          the maps the program may use, by index
 * @param btf           the program's BTF, or {@code null}
 * @param funcInfo      func_info
 * @param lineInfo      line_info
 * @param helpers       the prototype of each helper the runtime offers this program type, by id ({@code null}: not offered)
 * @param context       the context layout of the program type
 * @param attachBtf     for tracing programs: the BTF holding the attach target's FUNC_PROTO, else {@code null}
 * @param attachBtfId   the FUNC_PROTO (or FUNC) id in {@code attachBtf}, else 0
 * @param sdtProbes     for a target program: its SDT probes (the NOPs to keep and check)
 * @param gplCompatible whether the license allows GPL-only helpers
 * @param logLevel      0, 1 or 2
 */
public record VerifierRequest(ProgramType type, AttachType attachType, List<Insn> insns, List<MapDescriptor> maps,
                              Btf btf, List<FuncInfo> funcInfo, List<LineInfo> lineInfo, IntFunction<HelperProto> helpers,
                              ContextLayout context, Btf attachBtf, int attachBtfId, List<SdtProbe> sdtProbes,
                              boolean gplCompatible, int logLevel) {
    public VerifierRequest {
        insns = List.copyOf(insns);
        maps = List.copyOf(maps);
        funcInfo = funcInfo == null ? List.of() : List.copyOf(funcInfo);
        lineInfo = lineInfo == null ? List.of() : List.copyOf(lineInfo);
        sdtProbes = sdtProbes == null ? List.of() : List.copyOf(sdtProbes);
    }
}
