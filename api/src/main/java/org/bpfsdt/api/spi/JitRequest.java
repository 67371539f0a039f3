package org.bpfsdt.api.spi;

import java.util.List;
import java.util.function.IntToLongFunction;

import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;

/**
 * A verified program to compile.
 *
 * @param name          for listings and symbols
 * @param type          program type
 * @param insns         the xlated program
 * @param aux           verifier facts, one per slot; empty when there are none (an unverified program)
 * @param subprogs      functions with stack depths, main first; empty for an unverified program, which is then
 *                      split as {@link Subprog#ofUnverified} does
 * @param helperAddress native address of each helper's entry by helper id (System V convention on
 *                      x86_64, AAPCS64 on arm64, the RISC-V psABI on riscv64: r1..r5 in the argument registers, r0 in the return register)
 * @param probes        SDT probe sites to emit as patchable NOPs (by {@link SdtProbe#xlatedOff()})
 * @param runtime       addresses of runtime structures native code may use (tail call state and the like)
 * @param maps          the program's maps, in the order {@link InsnAux#mapIndex()} counts them (their
 *                      {@link MapDescriptor#lookupFunction()}s may replace helper calls); empty when unknown
 */
public record JitRequest(String name, ProgramType type, List<Insn> insns, List<InsnAux> aux, List<Subprog> subprogs,
                         IntToLongFunction helperAddress, List<SdtProbe> probes, RuntimeLinkage runtime, List<MapDescriptor> maps) {
    public JitRequest {
        insns = List.copyOf(insns);
        aux = List.copyOf(aux);
        subprogs = List.copyOf(subprogs);
        probes = probes == null ? List.of() : List.copyOf(probes);
        maps = maps == null ? List.of() : List.copyOf(maps);
    }

    /** A request that says nothing of the program's maps (every map helper is called). */
    public JitRequest(String name, ProgramType type, List<Insn> insns, List<InsnAux> aux, List<Subprog> subprogs,
                      IntToLongFunction helperAddress, List<SdtProbe> probes, RuntimeLinkage runtime) {
        this(name, type, insns, aux, subprogs, helperAddress, probes, runtime, List.of());
    }
}
