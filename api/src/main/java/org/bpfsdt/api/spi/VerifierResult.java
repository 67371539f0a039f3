package org.bpfsdt.api.spi;

import java.util.List;

import org.bpfsdt.api.isa.Insn;

/**
 * An accepted program, ready for the engines.
 *
 * @param insns          the rewritten ({@code xlated}) program: context accesses converted to native
 *                       fields, map loads resolved to addresses, inlined helpers expanded
 * @param aux            one entry per xlated slot
 * @param subprogs       the functions, main first, with their stack depths
 * @param origToXlated   for each loaded slot, its xlated slot (-1 if removed): keeps INSN_ARRAY maps in step
 * @param sdtProbes      the request's probes with {@link SdtProbe#xlatedOff()} filled in
 * @param log            the log at the requested level
 * @param processedInsns instructions processed (the kernel's {@code processed N insns})
 */
public record VerifierResult(List<Insn> insns, List<InsnAux> aux, List<Subprog> subprogs, int[] origToXlated,
                             List<SdtProbe> sdtProbes, String log, int processedInsns) {
    public VerifierResult {
        insns = List.copyOf(insns);
        aux = List.copyOf(aux);
        subprogs = List.copyOf(subprogs);
        sdtProbes = List.copyOf(sdtProbes);
    }
}
