package org.bpfsdt.verifier.check;

import static org.bpfsdt.api.isa.Opcodes.*;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.verifier.domain.FuncState;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.domain.VerifierState;

/**
 * Precision tracking (the kernel's mark_chain_precision): when a scalar's exact range decides
 * a safety question (a pointer offset, a memory size, a branch the verifier did not explore),
 * walk the path backwards to every register and stack slot the value came from and mark it
 * precise in the checkpoints along the way. Pruning compares only precise scalars by range, so
 * states that differ in values nothing depended on are still recognised as equivalent.
 */
final class Precision {
    private static final int ARGS = 0b111110;

    private final Env env;
    /** Registers (bits) and stack slots (bits) still to trace, per frame. */
    private final int[] regMask = new int[8];
    private final long[] stackMask = new long[8];
    private int frame;
    /** The deepest frame any mark was set in during this walk. */
    private int maxFrame;

    Precision(Env env) {
        this.env = env;
    }

    /** Marks the origin of register {@code r} of the current frame precise. */
    void mark(int r) {
        RegState reg = env.cur.reg(r);
        if (reg.type != RegType.SCALAR) {
            return;
        }
        reset(env.cur.curFrame);
        regMask[frame] = 1 << r;
        run(env.cur);
    }

    /** Marks stack slot {@code spi} of frame {@code fr} precise (a constant key read by a helper). */
    void markStackSlot(int fr, int spi) {
        reset(env.cur.curFrame);
        stackMask[fr] = 1L << spi;
        run(env.cur);
    }

    /** After pruning against {@code old}: what was precise there must be precise on this path too (propagate_precision). */
    void propagateFrom(VerifierState old) {
        reset(env.cur.curFrame);
        for (int fr = 0; fr <= old.curFrame; fr++) {
            FuncState f = old.frames[fr];
            for (int i = 0; i < 10; i++) {
                RegState r = f.regs[i];
                if (r.type == RegType.SCALAR && r.precise) {
                    regMask[fr] |= 1 << i;
                }
            }
            for (int spi = 0; spi < f.allocated / 8; spi++) {
                RegState s = f.spilled[spi];
                if (f.isSpilled(spi) && s != null && s.type == RegType.SCALAR && s.precise) {
                    stackMask[fr] |= 1L << spi;
                }
            }
        }
        run(env.cur);
    }

    private void reset(int fr) {
        java.util.Arrays.fill(regMask, 0);
        java.util.Arrays.fill(stackMask, 0);
        frame = fr;
        maxFrame = fr;
    }

    private boolean empty() {
        // frames above the current one can only hold marks while the walk is inside a callee
        int top = Math.min(7, Math.max(frame, maxFrame));
        for (int i = 0; i <= top; i++) {
            if (regMask[i] != 0 || stackMask[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private void run(VerifierState start) {
        if (empty()) {
            return;
        }
        VerifierState st = start;
        int firstIdx = st.firstInsnIdx;
        int lastIdx = start.insnIdx;
        int subseqIdx = -1;
        boolean skipFirst = true;
        for (;;) {
            int history = st.history.size();
            int i = lastIdx;
            for (;;) {
                if (skipFirst) {
                    skipFirst = false;
                } else {
                    int h = entryFor(st, history, i);
                    if (!backtrack(i, subseqIdx, h < 0 ? 0 : st.history.flags(h), h < 0 ? 0 : st.history.linkedRegs(h),
                            h < 0 ? 0 : st.history.linkedSlots(h))) {
                        markAllPrecise(start);
                        return;
                    }
                }
                if (empty()) {
                    return;
                }
                subseqIdx = i;
                // previous instruction on this path (get_prev_insn_idx)
                if (i == st.firstInsnIdx) {
                    if (history == 0 || (history == 1 && st.history.idx(0) == i)) {
                        break;
                    }
                }
                if (history > 0 && st.history.idx(history - 1) == i) {
                    i = st.history.prevIdx(history - 1);
                    history--;
                } else {
                    i = env.cfg.prevSequential(i);
                }
                if (i < 0) {
                    break;
                }
            }
            st = st.parent;
            if (st == null) {
                break;
            }
            for (int fr = frame; fr >= 0; fr--) {
                FuncState f = st.frames[fr];
                if (f == null) {
                    regMask[fr] = 0;
                    stackMask[fr] = 0;
                    continue;
                }
                // only the requested registers and slots (set bits), of this checkpoint and frame
                for (int m = regMask[fr]; m != 0; m &= m - 1) {
                    int r = Integer.numberOfTrailingZeros(m);
                    RegState reg = f.regs[r];
                    if (reg.type != RegType.SCALAR || reg.precise) {
                        regMask[fr] &= ~(1 << r);
                    } else {
                        reg.precise = true;
                    }
                }
                for (long m = stackMask[fr]; m != 0; m &= m - 1) {
                    int spi = Long.numberOfTrailingZeros(m);
                    RegState s = spi < f.allocated / 8 && f.isSpilled(spi) ? f.spilled[spi] : null;
                    if (s == null || s.type != RegType.SCALAR || s.precise) {
                        stackMask[fr] &= ~(1L << spi);
                    } else {
                        s.precise = true;
                    }
                }
            }
            if (empty()) {
                return;
            }
            subseqIdx = firstIdx;
            lastIdx = st.lastInsnIdx;
            firstIdx = st.firstInsnIdx;
            if (lastIdx < 0) {
                // a checkpoint at the function's entry: the marks just set on its arguments are all there is to do
                reset(frame);
                return;
            }
        }
        if (!empty()) {
            markAllPrecise(start);
        }
    }

    /** The history entry recorded for instruction {@code i} as the newest of the first {@code count}, or -1. */
    private static int entryFor(VerifierState st, int count, int i) {
        return count > 0 && st.history.idx(count - 1) == i ? count - 1 : -1;
    }

    private boolean regSet(int r) {
        return (regMask[frame] & (1 << r)) != 0;
    }

    private void setReg(int r) {
        if (r != 10) {
            regMask[frame] |= 1 << r;
        }
    }

    private void clearReg(int r) {
        regMask[frame] &= ~(1 << r);
    }

    /** A register filled from the stack: the stack slot the history entry's {@code flags} name (if any) is traced instead. */
    private void setSlotOf(int flags) {
        if ((flags & VerifierState.History.STACK_ACCESS) != 0) {
            int fr = (flags >> 8) & 0xff;
            stackMask[fr] |= 1L << (flags & 0xff);
            maxFrame = Math.max(maxFrame, fr);
        }
    }

    /** One step backwards over instruction {@code idx}; false when the walk cannot follow it (then everything becomes precise). */
    private boolean backtrack(int idx, int subseqIdx, int flags, int linked, long linkedSlots) {
        Insn in = env.insns[idx];
        int code = in.opcode();
        if (env.cfg.isLddwTail(idx)) {
            return true;
        }
        syncLinked(linked, linkedSlots);
        int cls = cls(code);
        int d = in.dst(), s = in.src();
        switch (cls) {
            case ALU, ALU64 -> {
                if (!regSet(d)) {
                    return true;
                }
                int op = op(code);
                if (op == END || op == NEG) {
                    return true;
                }
                if (op == MOV) {
                    clearReg(d);
                    if (source(code) == X) {
                        setReg(s);
                    }
                } else if (source(code) == X) {
                    setReg(s);
                }
            }
            case LDX -> {
                if (!regSet(d)) {
                    return true;
                }
                clearReg(d);
                setSlotOf(flags);
            }
            case STX, ST -> {
                if (regSet(d)) {
                    return false;
                }
                if (cls == STX && mode(code) == ATOMIC && (in.imm() & FETCH) != 0) {
                    // the fetched register holds the old memory value: on the stack, a fill from the slot
                    int load = in.imm() == CMPXCHG ? 0 : s;
                    if (regSet(load)) {
                        clearReg(load);
                        setSlotOf(flags);
                    }
                    return true;
                }
                if ((flags & VerifierState.History.STACK_ACCESS) == 0) {
                    return true;
                }
                int fr = (flags >> 8) & 0xff;
                long bit = 1L << (flags & 0xff);
                if ((stackMask[fr] & bit) == 0) {
                    return true;
                }
                stackMask[fr] &= ~bit;
                if (cls == STX) {
                    setReg(s);
                }
            }
            case JMP, JMP32 -> {
                int op = op(code);
                if (in.isLocalCall() && env.funcs.isGlobal(env.cfg.subprogAt(idx + 1 + in.imm()))) {
                    // a global function was verified on its own: like a helper, it only sets r0
                    clearReg(0);
                    return (regMask[frame] & ARGS) == 0;
                }
                if (in.isLocalCall()) {
                    // going back over the call: we leave the callee; only its arguments matter to the caller
                    if ((regMask[frame] & ~ARGS) != 0 || stackMask[frame] != 0) {
                        return false;
                    }
                    int args = regMask[frame] & ARGS;
                    regMask[frame] = 0;
                    frame--;
                    if (frame < 0) {
                        return false;
                    }
                    regMask[frame] |= args;
                    return true;
                }
                if (in.isHelperCall() && in.imm() == HelperId.LOOP.id() && idx != subseqIdx - 1) {
                    // back from a callback into the helper that called it
                    if ((regMask[frame] & ~ARGS) != 0 || stackMask[frame] != 0) {
                        return false;
                    }
                    regMask[frame] = 0;
                    frame--;
                    return frame >= 0;
                }
                if (op == CALL) {
                    clearReg(0);
                    return (regMask[frame] & ARGS) == 0;
                }
                if (op == EXIT) {
                    boolean callback = subseqIdx >= 0 && callsCallback(subseqIdx);
                    if (callback) {
                        regMask[frame] &= ~ARGS;
                    }
                    if ((regMask[frame] & ARGS) != 0) {
                        return false;
                    }
                    boolean r0 = subseqIdx - 1 >= 0 && env.insns[subseqIdx - 1].isLocalCall() && regSet(0);
                    clearReg(0);
                    frame++;
                    if (frame >= 8) {
                        return false;
                    }
                    maxFrame = Math.max(maxFrame, frame);
                    if (r0) {
                        setReg(0);
                    }
                    return true;
                }
                if (op != JA && op != JCOND && source(code) == X) {
                    if (!regSet(d) && !regSet(s)) {
                        return true;
                    }
                    setReg(s);
                    setReg(d);
                }
            }
            case LD -> {
                if (!regSet(d) && code == LDDW) {
                    return true;
                }
                if (code == LDDW) {
                    clearReg(d);
                    return true;
                }
                if (regSet(0)) {
                    return false;
                }
            }
            default -> {
            }
        }
        syncLinked(linked, linkedSlots);
        return true;
    }

    private boolean callsCallback(int idx) {
        Insn in = env.insns[idx];
        return in.isHelperCall() && in.imm() == HelperId.LOOP.id();
    }

    /** Registers and slots a comparison refined together: if one matters, all do (bt_sync_linked_regs). */
    private void syncLinked(int linked, long linkedSlots) {
        if ((linked == 0 && linkedSlots == 0) || frame < 0 || frame >= 8) {
            return;
        }
        if ((regMask[frame] & linked) != 0 || (stackMask[frame] & linkedSlots) != 0) {
            regMask[frame] |= linked & ~(1 << 10);
            stackMask[frame] |= linkedSlots;
        }
    }

    /** The big hammer: every scalar of every checkpoint on this path becomes precise. */
    private void markAllPrecise(VerifierState start) {
        for (VerifierState st = start.parent; st != null; st = st.parent) {
            for (int fr = 0; fr <= st.curFrame; fr++) {
                FuncState f = st.frames[fr];
                for (int r = 0; r < 10; r++) {
                    if (f.regs[r].type == RegType.SCALAR) {
                        f.regs[r].precise = true;
                    }
                }
                for (int spi = 0; spi < f.allocated / 8; spi++) {
                    RegState sp = f.spilled[spi];
                    if (sp != null && f.isSpilled(spi) && sp.type == RegType.SCALAR) {
                        sp.precise = true;
                    }
                }
            }
        }
        reset(frame);
    }
}
