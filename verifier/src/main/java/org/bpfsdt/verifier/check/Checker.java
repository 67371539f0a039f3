package org.bpfsdt.verifier.check;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.ArrayDeque;
import java.util.List;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.domain.FuncState;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.domain.VerifierState;
import org.bpfsdt.verifier.log.InsnPrinter;

/**
 * The abstract interpreter (the kernel's do_check): follows every path of the program from
 * its first instruction, one instruction at a time, with the state of each path; pushes the
 * other side of every undecided branch and explores it later; stops a path at {@code exit} or
 * when pruning finds it equivalent to one already proven safe.
 */
public final class Checker {
    private static final int END_OF_PATH = -1;

    private final Env env;
    private final Regs regs;
    private final Precision precision;
    private final Memory mem;
    private final Alu alu;
    private final Branches branches;
    private final Calls calls;
    private final Pruning pruning;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    /** A path waiting to be explored: its state, where it starts, and the log position when it was pushed. */
    private record Pending(VerifierState state, int insn, int prev, int logPos) {
    }

    public Checker(Env env) {
        this.env = env;
        this.regs = new Regs(env);
        this.precision = new Precision(env);
        this.mem = new Memory(env, regs, precision);
        this.alu = new Alu(env, regs, precision);
        this.branches = new Branches(env, regs, precision, this);
        this.calls = new Calls(env, regs, mem, precision, this);
        this.pruning = new Pruning(env, precision, mem.stack());
    }

    /**
     * Verifies the whole program: the main function with every static function it calls, then
     * each global function some verified path calls, on its own (the kernel's do_check_main and
     * do_check_subprogs); throws {@link VerifyError} on the first unsafe path.
     */
    public void run() {
        resolveMapLoads();
        verify(0);
        Functions funcs = env.funcs;
        boolean again = true;
        while (again) {
            // a global function just verified may call more of them
            again = false;
            for (int s = 1; s < env.cfg.subprogCount(); s++) {
                if (funcs.isGlobal(s) && env.globalCalled[s] && !env.globalVerified[s]) {
                    verify(s);
                    env.globalVerified[s] = true;
                    env.log.printf("Func#%d ('%s') is safe for any args that match its prototype\n", s, funcs.name(s));
                    again = true;
                }
            }
        }
    }

    /** The state a function starts in: r1 the context for the main program, the typed arguments for a global function; r10 the frame. */
    private VerifierState entryState(int subprog) {
        VerifierState init = new VerifierState();
        FuncState f = new FuncState(0, subprog, -1);
        if (subprog == 0) {
            f.regs[1].markPointer(RegType.PTR_TO_CTX);
        } else {
            List<Functions.Arg> args = env.funcs.args(subprog);
            for (int i = 0; i < args.size(); i++) {
                RegState r = f.regs[i + 1];
                Functions.Arg a = args.get(i);
                switch (a.kind()) {
                    case SCALAR -> r.markUnknown();
                    case CTX -> r.markPointer(RegType.PTR_TO_CTX);
                    case MEM, MEM_OR_NULL -> {
                        r.markPointer(RegType.PTR_TO_MEM);
                        r.memSize = a.size();
                        if (a.kind() == Functions.ArgKind.MEM_OR_NULL) {
                            r.flags = RegState.MAYBE_NULL;
                            r.id = env.newId();
                        }
                    }
                }
            }
        }
        f.regs[10].markPointer(RegType.PTR_TO_STACK);
        init.frames[0] = f;
        init.firstInsnIdx = env.cfg.subprogStart(subprog);
        return init;
    }

    /** Explores every path from the start of {@code subprog} (do_check_common). */
    private void verify(int subprog) {
        if (subprog > 0) {
            env.log.printf("Validating %s() func#%d...\n", env.funcs.name(subprog), subprog);
            // checkpoints of another function's run say nothing about this one's
            for (int i = 0; i < env.explored.size(); i++) {
                env.explored.set(i, null);
            }
            env.curStates = 0;
            env.loopConvergence = false;
        }
        env.cur = entryState(subprog);
        env.scratchedRegs = -1;
        int idx = env.cfg.subprogStart(subprog);
        int prev = -1;
        boolean printState = false;
        for (;;) {
            env.insnIdx = idx;
            env.prevInsnIdx = prev;
            if (++env.insnProcessed > Env.COMPLEXITY_LIMIT_INSNS) {
                throw new VerifyError(Errno.E2BIG, "BPF program is too large. Processed " + env.insnProcessed + " insn");
            }
            VerifierState cur = env.cur;
            cur.lastInsnIdx = prev;
            cur.insnIdx = idx;
            boolean endPath = false;
            if (env.cfg.isPrunePoint(idx) && pruning.isStateVisited(idx)) {
                if (env.log.enabled()) {
                    if (printState) {
                        env.log.printf("\nfrom %d to %d: safe\n", prev, idx);
                    } else {
                        env.log.printf("%d: safe\n", idx);
                    }
                }
                endPath = true;
            } else {
                if (env.cfg.isJmpPoint(idx)) {
                    cur.history.arrive(idx, prev);
                }
                if (env.log.enabled()) {
                    if (env.log.level2() && printState) {
                        StringBuilder sb = new StringBuilder();
                        sb.append("\nfrom ").append(prev).append(" to ").append(idx).append(':');
                        env.printer.appendFrame(sb, cur, cur.cur(), -1, -1, true);
                        sb.append('\n');
                        env.log.print(sb.toString());
                        printState = false;
                    }
                    printScratched(idx);
                    env.log.lineInfo(idx);
                    Insn in = env.insns[idx];
                    env.log.insn(idx, InsnPrinter.print(in, in.isLddw() ? env.insns[idx + 1] : null));
                }
                printState = false;
                env.aux[idx].seen = true;
                int next = step(env.insns[idx], idx);
                if (next == END_OF_PATH) {
                    endPath = true;
                } else {
                    // after returning from a subprogram, level 2 shows the caller's state
                    printState = env.insns[idx].isExit();
                    prev = idx;
                    idx = next;
                }
            }
            if (endPath) {
                updateBranchCounts(env.cur);
                Pending p = pending.pollLast();
                if (p == null) {
                    if (!env.log.level2()) {
                        // level 1 keeps the log of a failing path only (the kernel resets it after a verified function)
                        env.log.reset(0);
                    }
                    break;
                }
                if (!env.log.level2()) {
                    env.log.reset(p.logPos);
                }
                env.cur = p.state;
                env.scratchedRegs = -1;
                env.scratchedSlots = -1;
                idx = p.insn;
                prev = p.prev;
                printState = true;
            }
        }
    }

    /** The state of what the last instruction touched, after its line ({@code ; R0_w=0}). */
    private void printScratched(int idx) {
        if (env.scratchedRegs == 0 && env.scratchedSlots == 0) {
            return;
        }
        VerifierState cur = env.cur;
        StringBuilder sb = new StringBuilder();
        env.printer.appendFrame(sb, cur, cur.cur(), env.scratchedRegs, env.scratchedSlots, false);
        if (!sb.isEmpty()) {
            env.log.beginInsnState(idx);
            if (cur.curFrame > 0) {
                env.log.print(" frame" + cur.curFrame + ":");
            }
            env.log.print(sb.toString());
            env.log.endLine();
        }
        env.scratchedRegs = 0;
        env.scratchedSlots = 0;
    }

    /** One instruction; returns the next instruction of this path or {@link #END_OF_PATH}. */
    private int step(Insn in, int idx) {
        int code = in.opcode();
        switch (cls(code)) {
            case ALU, ALU64 -> {
                alu.check(in);
                return idx + 1;
            }
            case LDX -> {
                mem.load(in);
                return idx + 1;
            }
            case STX -> {
                if (mode(code) == ATOMIC) {
                    mem.atomic(in);
                } else {
                    mem.store(in);
                }
                return idx + 1;
            }
            case ST -> {
                mem.storeImm(in);
                return idx + 1;
            }
            case LD -> {
                if (code == LDDW) {
                    loadImm64(in, idx);
                    return idx + 2;
                }
                mem.ldAbs(in);
                return idx + 1;
            }
            default -> {
                return jump(in, idx);
            }
        }
    }

    private int jump(Insn in, int idx) {
        env.jmpsProcessed++;
        int code = in.opcode();
        int op = op(code);
        if (op == CALL) {
            if (code == CALLX_OP) {
                throw VerifyError.invalid("callx is not supported by the verifier (insn %d)", idx);
            }
            if (in.src() == PSEUDO_KFUNC_CALL) {
                throw VerifyError.invalid("calling kernel functions is not supported");
            }
            if (in.isLocalCall()) {
                return calls.localCall(in, idx);
            }
            calls.helper(in);
            return idx + 1;
        }
        if (op == EXIT) {
            VerifierState cur = env.cur;
            calls.checkResourceLeak(false, cur.curFrame == 0, "BPF_EXIT instruction in main prog");
            if (cur.curFrame > 0) {
                return calls.returnFromSubprog();
            }
            calls.checkReturn();
            return END_OF_PATH;
        }
        if (code == MAY_GOTO_OP) {
            VerifierState prevSt = findPrevEntry(idx);
            VerifierState queued = pushStack(idx + 1, idx);
            queued.mayGotoDepth++;
            if (prevSt != null) {
                widen(prevSt, queued);
            }
            return in.jumpTarget(idx);
        }
        if (op == JA) {
            if (env.probeAt[idx] >= 0) {
                env.sdt.checkSite(env.probeAt[idx], regs);
            }
            return in.jumpTarget(idx);
        }
        int next = branches.check(in, idx);
        return next < 0 ? END_OF_PATH : next;
    }

    /** An in-progress checkpoint at {@code idx} with the same call chain (find_prev_entry). */
    private VerifierState findPrevEntry(int idx) {
        List<VerifierState> l = env.explored.get(idx);
        if (l == null) {
            return null;
        }
        VerifierState cur = env.cur;
        for (VerifierState s : l) {
            if (s.insnIdx == idx && s.branches > 0 && s.curFrame == cur.curFrame) {
                boolean same = true;
                for (int i = 0; i <= s.curFrame; i++) {
                    same &= s.frames[i].callsite == cur.frames[i].callsite;
                }
                if (same) {
                    return s;
                }
            }
        }
        return null;
    }

    /** Scalars that changed since the previous iteration and never mattered become unknown, so a loop converges (widen_imprecise_scalars). */
    private static void widen(VerifierState old, VerifierState cur) {
        for (int fr = old.curFrame; fr >= 0; fr--) {
            FuncState fo = old.frames[fr], fc = cur.frames[fr];
            for (int i = 0; i < 11; i++) {
                widenReg(fo.regs[i], fc.regs[i]);
            }
            for (int spi = 0; spi < Math.min(fo.allocated, fc.allocated) / 8; spi++) {
                if (fo.isSpilled(spi) && fc.isSpilled(spi) && fo.spilled[spi] != null && fc.spilled[spi] != null) {
                    widenReg(fo.spilled[spi], fc.spilled[spi]);
                }
            }
        }
    }

    private static void widenReg(RegState o, RegState c) {
        if (o.type != RegType.SCALAR || c.type != RegType.SCALAR || o.precise || c.precise) {
            return;
        }
        if (o.tValue == c.tValue && o.tMask == c.tMask && o.smin == c.smin && o.smax == c.smax && o.umin == c.umin && o.umax == c.umax
                && o.s32min == c.s32min && o.s32max == c.s32max && o.u32min == c.u32min && o.u32max == c.u32max) {
            return;
        }
        c.markUnknown();
    }

    /** LDDW: a constant, a map pointer, a map value address or a subprogram (check_ld_imm). */
    private void loadImm64(Insn in, int idx) {
        RegState dst = regs.write(in.dst());
        switch (in.src()) {
            case PSEUDO_NONE -> dst.markKnown(in.imm64(env.insns[idx + 1]));
            case PSEUDO_FUNC -> {
                int subprog = env.cfg.subprogAt(idx + 1 + in.imm());
                if (env.funcs.isGlobal(subprog)) {
                    // a callback is verified at its helper call with the caller's state, which a global function never is
                    throw VerifyError.invalid("callback function not static");
                }
                dst.markPointer(RegType.PTR_TO_FUNC);
                dst.mapIndex = subprog;
            }
            case PSEUDO_MAP_FD, PSEUDO_MAP_IDX -> {
                dst.markPointer(RegType.CONST_PTR_TO_MAP);
                dst.mapIndex = env.aux[idx].mapIndex;
            }
            case PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE -> {
                dst.markPointer(RegType.PTR_TO_MAP_VALUE);
                dst.mapIndex = env.aux[idx].mapIndex;
                dst.off = env.insns[idx + 1].imm();
            }
            default -> throw VerifyError.invalid("unrecognized bpf_ld_imm64 insn");
        }
    }

    /** Resolves every map load to its map before checking (the kernel's resolve_pseudo_ldimm64). */
    private void resolveMapLoads() {
        for (int i = 0; i < env.insns.length; i++) {
            Insn in = env.insns[i];
            if (!in.isLddw() || env.cfg.isLddwTail(i)) {
                continue;
            }
            int src = in.src();
            if (src == PSEUDO_BTF_ID) {
                throw VerifyError.invalid("kernel variables (BPF_PSEUDO_BTF_ID) are not supported (insn %d)", i);
            }
            if (src != PSEUDO_MAP_FD && src != PSEUDO_MAP_IDX && src != PSEUDO_MAP_VALUE && src != PSEUDO_MAP_IDX_VALUE) {
                continue;
            }
            int index = mapIndexOf(in, i);
            MapDescriptor m = env.maps.get(index);
            env.aux[i].mapIndex = index;
            if (src == PSEUDO_MAP_VALUE || src == PSEUDO_MAP_IDX_VALUE) {
                long off = env.insns[i + 1].imm() & 0xffffffffL;
                if (m.type() != MapType.ARRAY) {
                    throw VerifyError.invalid("no direct value access support for this map type");
                }
                if (m.maxEntries() != 1) {
                    // arrays give direct access to their only value (array_map_direct_value_addr)
                    throw new VerifyError(Errno.ENOTSUPP, "direct value access on an array of " + m.maxEntries() + " entries failed: only a one-entry array has a single value");
                }
                if (off >= m.valueSize()) {
                    throw VerifyError.invalid("invalid access to map value pointer, value_size=%d off=%d", m.valueSize(), off);
                }
            } else if (env.insns[i + 1].imm() != 0) {
                throw VerifyError.invalid("unrecognized bpf_ld_imm64 insn");
            }
        }
    }

    private int mapIndexOf(Insn in, int idx) {
        List<MapDescriptor> maps = env.maps;
        if (in.src() == PSEUDO_MAP_IDX || in.src() == PSEUDO_MAP_IDX_VALUE) {
            if (in.imm() < 0 || in.imm() >= maps.size()) {
                throw VerifyError.invalid("map index %d is out of range (the program has %d maps) at insn %d", in.imm(), maps.size(), idx);
            }
            return in.imm();
        }
        for (int k = 0; k < maps.size(); k++) {
            if (maps.get(k).id() == in.imm()) {
                return k;
            }
        }
        throw new VerifyError(Errno.EBADF, String.format("fd %d is not pointing to valid bpf_map", in.imm()));
    }

    // ---- the stack of pending paths -----------------------------------------------------------

    /** Queues the other side of a branch, starting at {@code insn} (push_stack). */
    VerifierState pushStack(int insn, int prev) {
        VerifierState copy = new VerifierState(env.cur);
        if (pending.size() >= Env.COMPLEXITY_LIMIT_JMP_SEQ) {
            throw new VerifyError(Errno.E2BIG, "The sequence of " + pending.size() + " jumps is too complex.");
        }
        if (copy.parent != null) {
            copy.parent.branches++;
        }
        pending.addLast(new Pending(copy, insn, prev, env.log.position()));
        return copy;
    }

    /** Forgets the path just pushed: it cannot happen. */
    void dropPushed(VerifierState st) {
        Pending last = pending.peekLast();
        if (last != null && last.state == st) {
            pending.pollLast();
            updateBranchCounts(st);
        }
    }

    /** Queues a {@code bpf_loop} callback invocation (push_callback_call). */
    void pushCallback(Insn in, int subprog) {
        VerifierState cur = env.cur;
        if (subprog < 0) {
            throw VerifyError.invalid("callback function is not a subprogram");
        }
        if (cur.curFrame + 1 >= MAX_CALL_FRAMES) {
            throw new VerifyError(Errno.E2BIG, String.format("the call stack of %d frames is too deep", cur.curFrame + 2));
        }
        VerifierState cb = pushStack(env.cfg.subprogStart(subprog), env.insnIdx);
        FuncState callee = calls.callbackFrame(cb, subprog, env.insnIdx);
        cb.frames[cb.curFrame + 1] = callee;
        cb.curFrame++;
        cb.callbackUnrollDepth++;
        cb.frames[cb.curFrame - 1].callbackDepth++;
        cur.cur().callbackDepth = 0;
    }

    /** A path ended: checkpoints above it have one fewer open branch (update_branch_counts). */
    private static void updateBranchCounts(VerifierState st) {
        while (st != null) {
            int br = --st.branches;
            if (br > 0) {
                break;
            }
            st = st.parent;
        }
    }
}
