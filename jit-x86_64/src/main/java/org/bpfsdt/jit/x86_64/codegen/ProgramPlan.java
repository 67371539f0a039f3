package org.bpfsdt.jit.x86_64.codegen;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.InsnValidator;
import org.bpfsdt.api.spi.InsnAux;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.Subprog;
import org.bpfsdt.jit.x86_64.asm.Reg;

/**
 * A request checked and prepared for code generation: functions with their frames, the native
 * address of every helper called, probe sites by slot. Everything that could make the generated
 * code wrong is refused here, before any code is emitted or mapped.
 */
public final class ProgramPlan {
    final JitRequest request;
    final List<Insn> insns;
    final List<InsnAux> aux;
    final List<FunctionPlan> functions;
    final int[] functionOfSlot;
    final Map<Integer, Long> helpers = new HashMap<>();
    /** Probe index at each slot, or -1. */
    final int[] probeAt;
    /** Slots some jump lands on: code there cannot rely on what the previous instruction left. */
    final boolean[] jumpTarget;
    final boolean usesBpfLoop;
    final boolean usesCallx;
    /** Whether running it may call back into Java (helpers, tail calls, observers), which rules out a critical downcall. */
    final boolean mayUpcall;
    final long tailCallFallback;

    private ProgramPlan(JitRequest request, List<InsnAux> aux, List<FunctionPlan> functions, int[] functionOfSlot,
                        int[] probeAt, boolean[] jumpTarget, boolean usesBpfLoop, boolean usesCallx, boolean mayUpcall,
                        long tailCallFallback) {
        this.request = request;
        this.insns = request.insns();
        this.aux = aux;
        this.functions = functions;
        this.functionOfSlot = functionOfSlot;
        this.probeAt = probeAt;
        this.jumpTarget = jumpTarget;
        this.usesBpfLoop = usesBpfLoop;
        this.usesCallx = usesCallx;
        this.mayUpcall = mayUpcall;
        this.tailCallFallback = tailCallFallback;
    }

    /** Checks {@code request} and plans its frames; throws {@link BpfException} naming the first problem. */
    public static ProgramPlan of(JitRequest request) {
        List<Insn> insns = request.insns();
        InsnValidator.validate(insns);
        int n = insns.size();
        List<InsnAux> aux = request.aux();
        if (aux.isEmpty()) {
            aux = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                aux.add(InsnAux.plain(i));
            }
        } else if (aux.size() != n) {
            throw BpfException.einval("the request has " + aux.size() + " aux entries for " + n + " instruction slots");
        }
        List<Subprog> subprogs = request.subprogs().isEmpty() ? Subprog.ofUnverified(insns) : request.subprogs();
        int[] functionOfSlot = new int[n];
        checkFunctions(insns, subprogs, functionOfSlot);
        int[] probeAt = probeSlots(request.probes(), insns);

        boolean bpfLoop = false;
        boolean callx = false;
        boolean upcall = request.probes().stream().anyMatch(p -> p.xlatedOff() >= 0);
        boolean tailCall = false;
        Map<Integer, Long> helpers = new HashMap<>();
        boolean[] calls = new boolean[subprogs.size()];
        boolean[] usesFp = new boolean[subprogs.size()];
        boolean[] mayGoto = new boolean[subprogs.size()];
        boolean[][] savedRegs = new boolean[subprogs.size()][MAX_REG];
        boolean[] jumpTarget = new boolean[n];
        for (int pc = 0; pc < n; pc++) {
            Insn insn = insns.get(pc);
            int f = functionOfSlot[pc];
            Subprog fn = subprogs.get(f);
            noteRegisters(insn, savedRegs[f], usesFp, f);
            if (insn.isLddw()) {
                if (insn.src() == PSEUDO_FUNC) {
                    requireFunctionStart(subprogs, pc, insn, pc + 1 + insn.imm());
                }
                pc++;
                continue;
            }
            int cls = insn.cls();
            if (cls == LD) {
                throw new BpfException(Errno.ENOTSUPP, slot(pc, insn) + "legacy packet loads (LD_ABS/LD_IND) are not compiled; the verifier must rewrite them");
            }
            if (insn.isJump() || insn.opcode() == MAY_GOTO_OP) {
                int target = insn.jumpTarget(pc);
                if (target < fn.start() || target >= fn.end()) {
                    throw BpfException.einval(slot(pc, insn) + "jump target " + target + " leaves its function (slots " + fn.start() + ".." + (fn.end() - 1) + ")");
                }
                mayGoto[f] |= insn.opcode() == MAY_GOTO_OP;
                jumpTarget[target] = true;
            } else if (insn.opcode() == CALLX_OP) {
                callx = true;
                upcall = true;
                calls[f] = true;
            } else if (insn.isLocalCall()) {
                requireFunctionStart(subprogs, pc, insn, pc + 1 + insn.imm());
                calls[f] = true;
            } else if (insn.opcode() == CALL_OP && insn.src() == PSEUDO_KFUNC_CALL) {
                throw new BpfException(Errno.ENOTSUPP, slot(pc, insn) + "kfunc calls are not supported by the x86_64 JIT");
            } else if (insn.isHelperCall()) {
                calls[f] = true;
                int id = insn.imm();
                if (id == HelperId.TAIL_CALL.id()) {
                    tailCall = true;
                    upcall = true;
                } else if (id == HelperId.LOOP.id()) {
                    bpfLoop = true;
                } else if (!helpers.containsKey(id)) {
                    helpers.put(id, helperAddress(request, pc, insn));
                    upcall = true;
                }
            }
        }
        long fallback = 0;
        if (tailCall) {
            if (request.runtime() == null) {
                throw BpfException.einval("the program makes tail calls but the request has no runtime linkage (tail calls need the PROG_ARRAY layout and a fallback)");
            }
            fallback = request.runtime().tailCallFallback();
            if (fallback == 0) {
                throw BpfException.einval("the runtime linkage gives no tail call fallback entry");
            }
        }
        List<FunctionPlan> functions = new ArrayList<>();
        for (int f = 0; f < subprogs.size(); f++) {
            Subprog s = subprogs.get(f);
            List<Reg> saved = new ArrayList<>();
            for (int r = 6; r <= 9; r++) {
                if (savedRegs[f][r]) {
                    saved.add(RegisterMap.of(r));
                }
            }
            int depth = (s.stackDepth() + 7) & ~7;
            boolean framed = calls[f] || usesFp[f] || mayGoto[f];
            functions.add(FunctionPlan.of(f, s.name() == null ? "" : s.name(), s.start(), s.end(), depth, saved, framed, mayGoto[f]));
        }
        ProgramPlan plan = new ProgramPlan(request, List.copyOf(aux), List.copyOf(functions), functionOfSlot, probeAt, jumpTarget,
                bpfLoop, callx, upcall, fallback);
        plan.helpers.putAll(helpers);
        return plan;
    }

    private static long helperAddress(JitRequest request, int pc, Insn insn) {
        if (request.helperAddress() == null) {
            throw BpfException.einval(slot(pc, insn) + "the program calls helper " + insn.imm() + " but the request gives no helper addresses");
        }
        long address = request.helperAddress().applyAsLong(insn.imm());
        if (address == 0) {
            throw BpfException.einval(slot(pc, insn) + "helper " + insn.imm() + " has no native entry in this runtime");
        }
        return address;
    }

    /** Registers r6..r9 a function writes or reads (so it must save them), and whether it uses r10. */
    private static void noteRegisters(Insn insn, boolean[] saved, boolean[] usesFp, int f) {
        int cls = insn.cls();
        boolean hasDst = !(insn.isCall() && insn.opcode() != CALLX_OP) && !insn.isExit() && !insn.isUnconditionalJump() && insn.opcode() != MAY_GOTO_OP;
        boolean hasSrc = hasDst && !insn.isLddw() && (cls == LDX || cls == STX || ((cls == ALU || cls == ALU64 || cls == JMP || cls == JMP32) && source(insn.opcode()) == X));
        for (int r : new int[] {hasDst ? insn.dst() : -1, hasSrc ? insn.src() : -1}) {
            if (r == FP) {
                usesFp[f] = true;
            } else if (r >= 0 && RegisterMap.calleeSaved(r)) {
                saved[r] = true;
            }
        }
    }

    private static void checkFunctions(List<Insn> insns, List<Subprog> subprogs, int[] functionOfSlot) {
        int n = insns.size();
        int expect = 0;
        for (int f = 0; f < subprogs.size(); f++) {
            Subprog s = subprogs.get(f);
            if (s.start() != expect || s.end() <= s.start() || s.end() > n) {
                throw BpfException.einval("function " + f + " spans slots " + s.start() + ".." + s.end() + "; functions must tile the program from slot 0 in order");
            }
            if (s.stackDepth() < 0 || s.stackDepth() > STACK_SIZE) {
                throw BpfException.einval("function " + f + " has a stack depth of " + s.stackDepth() + " bytes (0.." + STACK_SIZE + ")");
            }
            for (int pc = s.start(); pc < s.end(); pc++) {
                functionOfSlot[pc] = f;
            }
            if (!endsCleanly(insns, s.start(), s.end())) {
                throw BpfException.einval("function " + f + " (slots " + s.start() + ".." + (s.end() - 1) + ") does not end with exit or a jump, so it would run into the next one");
            }
            expect = s.end();
        }
        if (expect != n) {
            throw BpfException.einval("the functions cover slots 0.." + (expect - 1) + " of a " + n + "-slot program");
        }
    }

    private static void requireFunctionStart(List<Subprog> subprogs, int pc, Insn insn, int target) {
        for (Subprog s : subprogs) {
            if (s.start() == target) {
                return;
            }
        }
        throw BpfException.einval(slot(pc, insn) + "call target " + target + " is not the start of a function");
    }

    private static int[] probeSlots(List<SdtProbe> probes, List<Insn> insns) {
        int[] at = new int[insns.size()];
        java.util.Arrays.fill(at, -1);
        for (int i = 0; i < probes.size(); i++) {
            SdtProbe p = probes.get(i);
            int off = p.xlatedOff();
            if (off < 0) {
                continue;
            }
            if (off >= insns.size()) {
                throw BpfException.einval("probe '" + p.name() + "' is at slot " + off + ", past the end of the program");
            }
            Insn insn = insns.get(off);
            if (insn.opcode() != JA_OP || insn.off() != 0) {
                throw BpfException.einval("probe '" + p.name() + "' is at slot " + off + ", which holds " + insn + " instead of the NOP 'goto +0'");
            }
            if (at[off] >= 0) {
                throw BpfException.einval("probes '" + probes.get(at[off]).name() + "' and '" + p.name() + "' share slot " + off);
            }
            at[off] = i;
        }
        return at;
    }

    /** Whether the function in slots {@code [start, end)} ends with an instruction that cannot fall through. */
    private static boolean endsCleanly(List<Insn> insns, int start, int end) {
        int last = end - 1;
        if (last > start && insns.get(last - 1).isLddw()) {
            return false;
        }
        Insn tail = insns.get(last);
        return tail.isExit() || tail.isUnconditionalJump();
    }

    private static String slot(int pc, Insn insn) {
        return "insn " + pc + " (" + insn + "): ";
    }

    /** Function names, main first ({@code ""} where the request gives none). */
    List<String> functionNames() {
        return functions.stream().map(f -> f.name()).toList();
    }

    InsnAux aux(int pc) {
        return aux.get(pc);
    }

    FunctionPlan functionAt(int slot) {
        return functions.get(functionOfSlot[slot]);
    }
}
