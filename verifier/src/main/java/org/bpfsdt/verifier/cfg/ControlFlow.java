package org.bpfsdt.verifier.cfg;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.InsnValidator;
import org.bpfsdt.verifier.VerifyError;

/**
 * The static facts about a program the abstract interpreter relies on, computed before it runs
 * (the kernel's check_subprogs and check_cfg): well-formed instructions, the subprograms and
 * that no jump leaves its subprogram, that every instruction is reachable, where states are
 * worth checkpointing (prune points), where execution arrives non-sequentially (jump points),
 * and which registers are live at each instruction (for comparing states).
 */
public final class ControlFlow {
    /** The kernel's limit on subprograms. */
    public static final int MAX_SUBPROGS = 256;
    private static final int CALLER_SAVED = 0b111111;         // r0..r5
    private static final int ARG_REGS = 0b111110;             // r1..r5

    private final Insn[] insns;
    private final int[] subprogStarts;
    private final boolean[] lddwTail;
    private final boolean[] prunePoint;
    private final boolean[] jmpPoint;
    private final boolean[] forceCheckpoint;
    private final int[] prevSeq;
    private final int[] liveIn;

    private ControlFlow(Insn[] insns) {
        this.insns = insns;
        int n = insns.length;
        lddwTail = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (insns[i].isLddw() && i + 1 < n) {
                lddwTail[i + 1] = true;
                i++;
            }
        }
        subprogStarts = findSubprogs();
        checkSubprogs();
        prunePoint = new boolean[n];
        jmpPoint = new boolean[n];
        forceCheckpoint = new boolean[n];
        checkReachable();
        prevSeq = new int[n];
        for (int i = 0; i < n; i++) {
            prevSeq[i] = i == 0 ? -1 : lddwTail[i - 1] ? i - 2 : i - 1;
        }
        liveIn = computeLiveness();
    }

    /**
     * Analyses {@code insns}; throws {@link VerifyError} ({@code EINVAL}) for a malformed program
     * with the kernel's wording where it has one.
     */
    public static ControlFlow analyse(List<Insn> program) {
        try {
            InsnValidator.validate(program);
        } catch (BpfException e) {
            throw VerifyError.invalid(e.reason());
        }
        return new ControlFlow(program.toArray(Insn[]::new));
    }

    private int[] findSubprogs() {
        TreeSet<Integer> starts = new TreeSet<>();
        starts.add(0);
        for (int i = 0; i < insns.length; i++) {
            if (lddwTail[i]) {
                continue;
            }
            Insn in = insns[i];
            if (in.isLocalCall() || (in.isLddw() && in.src() == PSEUDO_FUNC)) {
                starts.add(i + 1 + in.imm());
            }
        }
        if (starts.size() > MAX_SUBPROGS) {
            throw VerifyError.invalid("too many subprograms");
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private void checkSubprogs() {
        int n = insns.length;
        for (int s = 0; s < subprogStarts.length; s++) {
            int start = subprogStarts[s];
            int end = s + 1 < subprogStarts.length ? subprogStarts[s + 1] : n;
            for (int i = start; i < end; i++) {
                if (lddwTail[i]) {
                    continue;
                }
                Insn in = insns[i];
                if (in.isJump() || in.opcode() == MAY_GOTO_OP) {
                    int t = in.jumpTarget(i);
                    if (t < start || t >= end) {
                        throw VerifyError.invalid("jump out of range from insn %d to %d", i, t);
                    }
                }
            }
            int last = lddwTail[end - 1] ? end - 2 : end - 1;
            Insn tail = insns[end - 1];
            if (lddwTail[end - 1] || (!tail.isExit() && !tail.isUnconditionalJump())) {
                throw VerifyError.invalid("last insn is not an exit or jmp");
            }
            if (last < start) {
                throw VerifyError.invalid("last insn is not an exit or jmp");
            }
        }
    }

    /** Depth-first walk from instruction 0 (the kernel's check_cfg): marks prune and jump points, rejects unreachable code. */
    private void checkReachable() {
        int n = insns.length;
        boolean[] seen = new boolean[n];
        int[] stack = new int[n + 1];
        int sp = 0;
        stack[sp++] = 0;
        seen[0] = true;
        while (sp > 0) {
            int t = stack[--sp];
            Insn in = insns[t];
            int next = t + (in.isLddw() ? 2 : 1);
            int[] succ;
            if (in.isExit()) {
                succ = new int[0];
            } else if (in.isUnconditionalJump()) {
                int w = in.jumpTarget(t);
                markPrune(w);
                jmpPoint[w] = true;
                succ = new int[] {w};
            } else if (in.opcode() == MAY_GOTO_OP) {
                prunePoint[t] = true;
                forceCheckpoint[t] = true;
                int w = in.jumpTarget(t);
                markPrune(w);
                jmpPoint[w] = true;
                succ = new int[] {next, w};
            } else if (in.isJump()) {
                prunePoint[t] = true;
                int w = in.jumpTarget(t);
                markPrune(w);
                jmpPoint[w] = true;
                succ = new int[] {next, w};
            } else if (in.isCall()) {
                markPrune(next);
                jmpPoint[next] = true;
                if (in.isLocalCall()) {
                    int w = t + 1 + in.imm();
                    prunePoint[t] = true;
                    markPrune(w);
                    jmpPoint[w] = true;
                    succ = new int[] {next, w};
                } else {
                    if (in.isHelperCall() && in.imm() == org.bpfsdt.api.HelperId.LOOP.id()) {
                        // the callback returns here and the call is re-evaluated: a loop head
                        prunePoint[t] = true;
                        jmpPoint[t] = true;
                        forceCheckpoint[t] = true;
                    }
                    succ = new int[] {next};
                }
            } else if (in.isLddw() && in.src() == PSEUDO_FUNC) {
                int w = t + 1 + in.imm();
                jmpPoint[w] = true;
                markPrune(w);
                succ = new int[] {next, w};
            } else {
                succ = new int[] {next};
            }
            for (int w : succ) {
                if (w >= n) {
                    throw VerifyError.invalid("jump out of range from insn %d to %d", t, w);
                }
                if (!seen[w]) {
                    seen[w] = true;
                    stack[sp++] = w;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!seen[i] && !lddwTail[i]) {
                throw VerifyError.invalid("unreachable insn %d", i);
            }
        }
    }

    private void markPrune(int w) {
        if (w < insns.length) {
            prunePoint[w] = true;
        }
    }

    // ---- register liveness ---------------------------------------------------------------

    private int[] computeLiveness() {
        int n = insns.length;
        int[] use = new int[n];
        int[] def = new int[n];
        for (int i = 0; i < n; i++) {
            if (!lddwTail[i]) {
                useDef(insns[i], i, use, def);
            }
        }
        int[] in = new int[n];
        int[][] succ = localSuccessors();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = n - 1; i >= 0; i--) {
                if (lddwTail[i]) {
                    continue;
                }
                int out = 0;
                for (int s : succ[i]) {
                    out |= in[s];
                }
                int v = (out & ~def[i]) | use[i];
                if (v != in[i]) {
                    in[i] = v;
                    changed = true;
                }
            }
        }
        return in;
    }

    /** Successors in the same function: a local call continues at the next instruction (the callee's effect is its use/def). */
    private int[][] localSuccessors() {
        int n = insns.length;
        int[][] succ = new int[n][];
        int[] none = new int[0];
        for (int i = 0; i < n; i++) {
            if (lddwTail[i]) {
                succ[i] = none;
                continue;
            }
            Insn in = insns[i];
            int next = i + (in.isLddw() ? 2 : 1);
            if (in.isExit()) {
                succ[i] = none;
            } else if (in.isUnconditionalJump()) {
                succ[i] = new int[] {in.jumpTarget(i)};
            } else if (in.isJump() || in.opcode() == MAY_GOTO_OP) {
                succ[i] = new int[] {next, in.jumpTarget(i)};
            } else {
                succ[i] = next < n ? new int[] {next} : none;
            }
        }
        return succ;
    }

    private static void useDef(Insn in, int i, int[] use, int[] def) {
        int code = in.opcode();
        int dst = 1 << in.dst();
        int src = 1 << in.src();
        switch (cls(code)) {
            case ALU, ALU64 -> {
                int op = op(code);
                if (op == MOV) {
                    use[i] = source(code) == X ? src : 0;
                    def[i] = dst;
                } else if (op == NEG || op == END) {
                    use[i] = dst;
                    def[i] = dst;
                } else {
                    use[i] = dst | (source(code) == X ? src : 0);
                    def[i] = dst;
                }
            }
            case LDX -> {
                use[i] = src;
                def[i] = dst;
            }
            case ST -> use[i] = dst;
            case STX -> {
                use[i] = dst | src;
                if (mode(code) == ATOMIC) {
                    if (in.imm() == CMPXCHG) {
                        use[i] |= 1;
                        def[i] = 1;
                    } else if ((in.imm() & FETCH) != 0) {
                        def[i] = src;
                    }
                }
            }
            case LD -> {
                if (code == LDDW) {
                    def[i] = dst;
                } else {
                    // legacy packet loads read the context in r6 and clobber the caller-saved registers
                    use[i] = (1 << 6) | (mode(code) == IND ? src : 0);
                    def[i] = CALLER_SAVED;
                }
            }
            case JMP, JMP32 -> {
                int op = op(code);
                if (code == CALLX_OP) {
                    use[i] = ARG_REGS | dst;
                    def[i] = CALLER_SAVED;
                } else if (op == CALL) {
                    use[i] = ARG_REGS;
                    def[i] = CALLER_SAVED;
                } else if (op == EXIT) {
                    use[i] = 1;
                } else if (op != JA && op != JCOND) {
                    use[i] = dst | (source(code) == X ? src : 0);
                }
            }
            default -> {
            }
        }
    }

    // ---- queries -------------------------------------------------------------------------

    public Insn[] insns() {
        return insns;
    }

    public int subprogCount() {
        return subprogStarts.length;
    }

    public int subprogStart(int s) {
        return subprogStarts[s];
    }

    public int subprogEnd(int s) {
        return s + 1 < subprogStarts.length ? subprogStarts[s + 1] : insns.length;
    }

    /** The subprogram starting at {@code insn}, or -1. */
    public int subprogAt(int insn) {
        int k = Arrays.binarySearch(subprogStarts, insn);
        return k >= 0 ? k : -1;
    }

    public boolean isLddwTail(int i) {
        return lddwTail[i];
    }

    public boolean isPrunePoint(int i) {
        return prunePoint[i];
    }

    public boolean isJmpPoint(int i) {
        return jmpPoint[i];
    }

    public boolean isForceCheckpoint(int i) {
        return forceCheckpoint[i];
    }

    /** The instruction before {@code i} in straight-line order (skipping an LDDW's second slot), or -1. */
    public int prevSequential(int i) {
        return prevSeq[i];
    }

    /** Registers (bit r) that may be read at or after {@code i} before being written, in {@code i}'s function. */
    public int liveIn(int i) {
        return liveIn[i];
    }
}
