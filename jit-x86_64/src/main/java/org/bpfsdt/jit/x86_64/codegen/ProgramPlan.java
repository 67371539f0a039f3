package org.bpfsdt.jit.x86_64.codegen;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
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
 *
 * <p>Map lookups the verifier tied to one map whose descriptor offers a
 * {@link org.bpfsdt.api.spi.MapDescriptor#lookupFunction() lookup function} call that function
 * instead of the helper: each such function is appended once, after the program's slots, as a
 * function of its own (a frameless leaf: it uses r0..r5 only), so the call costs no upcall.
 */
public final class ProgramPlan {
    final JitRequest request;
    /** The program's slots, then the lookup functions' slots. */
    final List<Insn> insns;
    /** Slots of the program itself ({@code insns} holds the lookup functions after them). */
    final int programSlots;
    /** The function index a helper call at each slot calls instead of the helper, or -1. */
    final int[] lookupCallAt;
    final List<InsnAux> aux;
    final List<FunctionPlan> functions;
    final int[] functionOfSlot;
    /** The native address of each helper called (not tail calls and {@code bpf_loop}, which the code does itself). */
    final Map<Integer, Long> helpers;
    /** Probe index at each slot, or -1. */
    final int[] probeAt;
    /** Slots some jump lands on: code there cannot rely on what the previous instruction left. */
    final boolean[] jumpTarget;
    final boolean usesBpfLoop;
    final boolean usesCallx;
    /** The {@code callx} dispatch table, by helper number: each helper's native entry, 0 where there is none (empty without callx). */
    final long[] callxTargets;
    /** Whether running it may call back into Java (helpers, tail calls, observers), which rules out a critical downcall. */
    final boolean mayUpcall;
    final long tailCallFallback;

    private ProgramPlan(JitRequest request, List<Insn> insns, int[] lookupCallAt, List<InsnAux> aux, List<FunctionPlan> functions,
                        int[] functionOfSlot, Map<Integer, Long> helpers, int[] probeAt, boolean[] jumpTarget, boolean usesBpfLoop, boolean usesCallx,
                        boolean mayUpcall, long tailCallFallback) {
        this.request = request;
        this.insns = insns;
        this.programSlots = request.insns().size();
        this.lookupCallAt = lookupCallAt;
        this.aux = aux;
        this.functions = functions;
        this.functionOfSlot = functionOfSlot;
        this.helpers = Map.copyOf(helpers);
        this.probeAt = probeAt;
        this.jumpTarget = jumpTarget;
        this.usesBpfLoop = usesBpfLoop;
        this.usesCallx = usesCallx;
        this.callxTargets = usesCallx ? callxTargets(request) : new long[0];
        this.mayUpcall = mayUpcall;
        this.tailCallFallback = tailCallFallback;
    }

    /** Checks {@code request} and plans its frames; throws {@link BpfException} naming the first problem. */
    public static ProgramPlan of(JitRequest request) {
        List<Insn> program = request.insns();
        InsnValidator.validate(program);
        int programSlots = program.size();
        List<InsnAux> aux = request.aux();
        if (aux.isEmpty()) {
            aux = new ArrayList<>(programSlots);
            for (int i = 0; i < programSlots; i++) {
                aux.add(InsnAux.plain(i));
            }
        } else if (aux.size() != programSlots) {
            throw BpfException.einval("the request has " + aux.size() + " aux entries for " + programSlots + " instruction slots");
        }
        List<Subprog> subprogs = new ArrayList<>(request.subprogs().isEmpty() ? Subprog.ofUnverified(program) : request.subprogs());
        int[] lookupCallAt = new int[programSlots];
        Arrays.fill(lookupCallAt, -1);
        List<Insn> insns = appendLookupFunctions(request, aux, subprogs, lookupCallAt);
        int n = insns.size();
        if (n > programSlots) {
            aux = new ArrayList<>(aux);
            for (int i = programSlots; i < n; i++) {
                aux.add(new InsnAux(-1, true, false, -1, -1));
            }
        }
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
            } else if (insn.isHelperCall() && pc < programSlots && lookupCallAt[pc] >= 0) {
                // a call of a lookup function: a leaf that calls nothing, so no frame is needed for it
                continue;
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
        return new ProgramPlan(request, List.copyOf(insns), lookupCallAt, List.copyOf(aux), List.copyOf(functions), functionOfSlot, helpers,
                probeAt, jumpTarget, bpfLoop, callx, upcall, fallback);
    }

    /**
     * The program followed by the lookup function of every map a {@code bpf_map_lookup_elem} call
     * is tied to (one function per map, whatever the number of calls), each added to
     * {@code subprogs}; marks those calls in {@code lookupCallAt} with the function's index.
     */
    private static List<Insn> appendLookupFunctions(JitRequest request, List<InsnAux> aux, List<Subprog> subprogs, int[] lookupCallAt) {
        List<Insn> program = request.insns();
        List<Insn> out = null;
        Map<Integer, Integer> functionOfMap = new HashMap<>();
        for (int pc = 0; pc < program.size(); pc++) {
            Insn insn = program.get(pc);
            if (insn.isLddw()) {
                pc++;
                continue;
            }
            int map = aux.get(pc).mapIndex();
            if (!insn.isHelperCall() || insn.imm() != HelperId.MAP_LOOKUP_ELEM.id() || map < 0 || map >= request.maps().size()) {
                continue;
            }
            List<Insn> body = request.maps().get(map).lookupFunction().orElse(List.of());
            if (body.isEmpty()) {
                continue;
            }
            Integer f = functionOfMap.get(map);
            if (f == null) {
                if (out == null) {
                    out = new ArrayList<>(program);
                }
                checkLookupFunction(request.maps().get(map).id(), body);
                f = subprogs.size();
                subprogs.add(new Subprog(out.size(), out.size() + body.size(), 0, "lookup in map " + request.maps().get(map).id()));
                out.addAll(body);
                functionOfMap.put(map, f);
            }
            lookupCallAt[pc] = f;
        }
        return out == null ? program : out;
    }

    /** A lookup function is trusted code, but is still refused unless it keeps to its contract: r0..r5, no stack, no calls, jumps inside. */
    private static void checkLookupFunction(int mapId, List<Insn> body) {
        String what = "the lookup function of map " + mapId;
        InsnValidator.validate(body);
        for (int pc = 0; pc < body.size(); pc++) {
            Insn insn = body.get(pc);
            boolean lddw = insn.isLddw();
            if (lddw && insn.src() != PSEUDO_NONE) {
                throw BpfException.einval(what + ", insn " + pc + " (" + insn + "): only plain 64-bit constants may be loaded");
            }
            if (insn.isCall() || insn.opcode() == MAY_GOTO_OP || insn.cls() == LD && !lddw) {
                throw BpfException.einval(what + ", insn " + pc + " (" + insn + "): calls and packet loads are not allowed in it");
            }
            if (insn.dst() > 5 || insn.src() > 5 && !lddw) {
                throw BpfException.einval(what + ", insn " + pc + " (" + insn + "): it may use r0..r5 only");
            }
            if (lddw) {
                pc++;
            }
        }
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

    /** Entries of the {@code callx} table: every helper number the kernel defines; tail calls and {@code bpf_loop} have none. */
    private static long[] callxTargets(JitRequest request) {
        long[] table = new long[Arrays.stream(HelperId.values()).mapToInt(HelperId::id).max().orElse(0) + 1];
        if (request.helperAddress() == null) {
            return table;
        }
        for (int id = 0; id < table.length; id++) {
            if (id == HelperId.TAIL_CALL.id() || id == HelperId.LOOP.id()) {
                continue;
            }
            try {
                table[id] = request.helperAddress().applyAsLong(id);
            } catch (BpfException e) {
                // a number the runtime does not offer: callx returns -ENOSYS for it
            }
        }
        return table;
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
        Arrays.fill(at, -1);
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
}
