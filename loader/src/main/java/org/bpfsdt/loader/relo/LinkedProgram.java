package org.bpfsdt.loader.relo;

import java.util.List;

import org.bpfsdt.api.btf.FuncInfo;
import org.bpfsdt.api.btf.LineInfo;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.loader.sdt.LinkedProbe;

/**
 * A program ready for {@code progLoad}: its code followed by the subprograms it calls, map
 * loads rewritten to {@code BPF_PSEUDO_MAP_IDX[_VALUE]} indices into {@link #maps}, and its
 * func_info and line_info by instruction of the whole.
 *
 * @param name        program name
 * @param insns       instruction slots
 * @param maps        object map indices, in the order of the program's map array ({@code fd_array})
 * @param funcInfo    one record per function, by start slot
 * @param lineInfo    line records by slot
 * @param subprograms the appended subprograms and where each starts
 * @param sdtProbes   the SDT probes whose NOPs it contains (its own and its subprograms'), by slot
 */
public record LinkedProgram(String name, List<Insn> insns, List<Integer> maps, List<FuncInfo> funcInfo,
                            List<LineInfo> lineInfo, List<Placement> subprograms, List<LinkedProbe> sdtProbes) {
    public LinkedProgram {
        insns = List.copyOf(insns);
        maps = List.copyOf(maps);
        funcInfo = List.copyOf(funcInfo);
        lineInfo = List.copyOf(lineInfo);
        subprograms = List.copyOf(subprograms);
        sdtProbes = List.copyOf(sdtProbes);
    }

    /** Subprogram {@code name} placed at slot {@code start}. */
    public record Placement(String name, int start) {
    }
}
