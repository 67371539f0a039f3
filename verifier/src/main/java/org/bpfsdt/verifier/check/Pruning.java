package org.bpfsdt.verifier.check;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.domain.FuncState;
import org.bpfsdt.verifier.domain.RefState;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.domain.StackSlot;
import org.bpfsdt.verifier.domain.VerifierState;

/**
 * State pruning (the kernel's is_state_visited and states_equal): at prune points the current
 * path is compared with checkpoints explored before at the same instruction; a path whose
 * state is subsumed by a completely explored one is safe and stops. Checkpoints still being
 * explored (loops) are only used to detect infinite loops, except at {@code may_goto} and
 * callback-calling helpers where the kernel widens and converges.
 */
final class Pruning {
    enum Exact { NOT_EXACT, RANGE_WITHIN, EXACT }

    private final Env env;
    private final Precision precision;
    private final Stack stack;
    /** Old id to current id, rebuilt for each comparison (bpf_idmap). */
    private final int[] idOld = new int[600];
    private final int[] idCur = new int[600];
    private int idCount;
    private int tmpId;

    Pruning(Env env, Precision precision, Stack stack) {
        this.env = env;
        this.precision = precision;
        this.stack = stack;
    }

    /** True when the current path is pruned at {@code idx}; may add a checkpoint. */
    boolean isStateVisited(int idx) {
        VerifierState cur = env.cur;
        Insn in = env.insns[idx];
        boolean mayGoto = in.opcode() == org.bpfsdt.api.isa.Opcodes.MAY_GOTO_OP;
        boolean callsCallback = in.isHelperCall() && in.imm() == HelperId.LOOP.id();
        boolean forceNew = env.cfg.isForceCheckpoint(idx) || callsCallback || cur.history.size() > 40;
        boolean addNew = forceNew || !(env.jmpsProcessed - env.prevJmpsProcessed < 2 && env.insnProcessed - env.prevInsnProcessed < 8);
        List<VerifierState> list = env.explored.get(idx);
        int n = 0;
        if (list != null) {
            for (Iterator<VerifierState> it = list.iterator(); it.hasNext();) {
                VerifierState sl = it.next();
                n++;
                if (sl.branches > 0) {
                    boolean skipLoopCheck = false;
                    if (mayGoto && sl.mayGotoDepth != cur.mayGotoDepth && equal(sl, cur, Exact.RANGE_WITHIN)) {
                        env.loopConvergence = true;
                        return hit(sl);
                    }
                    if (callsCallback) {
                        if (equal(sl, cur, Exact.RANGE_WITHIN)) {
                            env.loopConvergence = true;
                            return hit(sl);
                        }
                        skipLoopCheck = true;
                    }
                    if (!skipLoopCheck && maybeLooping(sl, cur) && equal(sl, cur, Exact.EXACT) && sl.mayGotoDepth == cur.mayGotoDepth
                            && sl.callbackUnrollDepth == cur.callbackUnrollDepth) {
                        env.log.lineInfo(idx);
                        env.log.printf("infinite loop detected at insn %d\n", idx);
                        throw VerifyError.invalid("infinite loop detected at insn %d", idx);
                    }
                    // inside a loop every iteration differs: checkpoint less often
                    if (!forceNew && env.jmpsProcessed - env.prevJmpsProcessed < 20 && env.insnProcessed - env.prevInsnProcessed < 100) {
                        addNew = false;
                    }
                } else if (equal(sl, cur, env.loopConvergence ? Exact.RANGE_WITHIN : Exact.NOT_EXACT)) {
                    return hit(sl);
                }
                // only a state that will be replaced counts a miss, so early loop iterations survive
                if (addNew) {
                    sl.missCount++;
                }
                int limit = env.cfg.isForceCheckpoint(idx) && sl.branches > 0 ? 64 : 3;
                if (sl.missCount > sl.hitCount * limit + limit) {
                    it.remove();
                    env.curStates--;
                }
            }
        }
        env.maxStatesPerInsn = Math.max(env.maxStatesPerInsn, n);
        if (!addNew) {
            return false;
        }
        VerifierState checkpoint = new VerifierState(cur);
        checkpoint.insnIdx = idx;
        checkpoint.branches = 1;
        if (list == null) {
            list = new ArrayList<>(2);
            env.explored.set(idx, list);
        }
        list.add(checkpoint);
        env.totalStates++;
        env.curStates++;
        env.peakStates = Math.max(env.peakStates, env.curStates);
        env.prevJmpsProcessed = env.jmpsProcessed;
        env.prevInsnProcessed = env.insnProcessed;
        cur.parent = checkpoint;
        cur.firstInsnIdx = idx;
        cur.history.clear();
        for (int fr = 0; fr <= cur.curFrame; fr++) {
            FuncState f = cur.frames[fr];
            f.stackWritten = 0;
            f.stackRead = 0;
            for (RegState r : f.regs) {
                r.precise = false;
            }
            for (int spi = 0; spi < f.allocated / 8; spi++) {
                if (f.spilled[spi] != null) {
                    f.spilled[spi].precise = false;
                }
            }
        }
        return false;
    }

    private boolean hit(VerifierState sl) {
        sl.hitCount++;
        // the pruned path would have done what the old one did: its reads and precise values matter here too
        VerifierState cur = env.cur;
        for (int fr = 0; fr <= sl.curFrame; fr++) {
            long read = sl.frames[fr].stackRead;
            while (read != 0) {
                int spi = Long.numberOfTrailingZeros(read);
                read &= read - 1;
                stack.markRead(fr, spi);
            }
        }
        precision.propagateFrom(sl);
        return true;
    }

    private static boolean maybeLooping(VerifierState old, VerifierState cur) {
        if (old.curFrame != cur.curFrame) {
            return false;
        }
        FuncState a = old.cur(), b = cur.cur();
        for (int i = 0; i < 11; i++) {
            if (!sameReg(a.regs[i], b.regs[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameReg(RegState a, RegState b) {
        return a.type == b.type && a.flags == b.flags && a.off == b.off && a.tValue == b.tValue && a.tMask == b.tMask
                && a.smin == b.smin && a.smax == b.smax && a.umin == b.umin && a.umax == b.umax && a.s32min == b.s32min
                && a.s32max == b.s32max && a.u32min == b.u32min && a.u32max == b.u32max && a.mapIndex == b.mapIndex
                && a.range == b.range && a.memSize == b.memSize && a.frameNo == b.frameNo && a.btfId == b.btfId && a.addConst == b.addConst;
    }

    /** states_equal: whether every execution from {@code cur} is one {@code old} already covered. */
    boolean equal(VerifierState old, VerifierState cur, Exact exact) {
        if (old.curFrame != cur.curFrame) {
            return false;
        }
        idCount = 0;
        tmpId = 0;
        if (!refsSafe(old, cur)) {
            return false;
        }
        for (int i = 0; i <= old.curFrame; i++) {
            FuncState fo = old.frames[i], fc = cur.frames[i];
            if (fo.callsite != fc.callsite) {
                return false;
            }
            int insn = i == old.curFrame ? old.insnIdx : old.frames[i + 1].callsite;
            if (!funcEqual(fo, fc, insn, exact, old.branches == 0)) {
                return false;
            }
        }
        return true;
    }

    private boolean refsSafe(VerifierState old, VerifierState cur) {
        if (old.refs.length != cur.refs.length) {
            return false;
        }
        if ((old.activeLockId == 0) != (cur.activeLockId == 0) || old.activeLockMap != cur.activeLockMap) {
            return false;
        }
        if (!checkIds(old.activeLockId, cur.activeLockId) || !checkIds(old.activeLockPtrId, cur.activeLockPtrId)) {
            return false;
        }
        for (int i = 0; i < old.refs.length; i++) {
            RefState a = old.refs[i], b = cur.refs[i];
            if (a.lock() != b.lock() || !checkIds(a.id(), b.id())) {
                return false;
            }
        }
        return true;
    }

    private boolean funcEqual(FuncState old, FuncState cur, int insn, Exact exact, boolean complete) {
        if (old.callbackDepth > cur.callbackDepth) {
            return false;
        }
        int live = env.cfg.liveIn(insn) | (1 << 10);
        for (int i = 0; i < 11; i++) {
            if ((live & (1 << i)) != 0 && !regSafe(old.regs[i], cur.regs[i], exact)) {
                return false;
            }
        }
        return stackSafe(old, cur, exact, complete);
    }

    private boolean regSafe(RegState o, RegState c, Exact exact) {
        if (exact == Exact.EXACT) {
            return regsExact(o, c);
        }
        if (o.type == RegType.NOT_INIT) {
            if (exact == Exact.NOT_EXACT || c.type == RegType.NOT_INIT) {
                return true;
            }
        }
        if (o.type != c.type || o.flags != c.flags) {
            return false;
        }
        switch (o.type) {
            case SCALAR -> {
                if (!o.precise && exact == Exact.NOT_EXACT) {
                    return true;
                }
                if (o.id != 0 && (o.addConst != c.addConst || (o.addConst && o.off != c.off))) {
                    return false;
                }
                return rangeWithin(o, c) && o.varOff().contains(c.varOff()) && (o.id == 0 || checkIds(o.id, c.id == 0 ? -(++tmpId) : c.id));
            }
            case PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_MEM -> {
                return o.off == c.off && o.mapIndex == c.mapIndex && o.memSize == c.memSize && rangeWithin(o, c)
                        && o.varOff().contains(c.varOff()) && checkIds(o.id, c.id) && checkIds(o.refObjId, c.refObjId);
            }
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> {
                if (o.range < 0 || c.range < 0) {
                    if (o.range != c.range) {
                        return false;
                    }
                } else if (o.range > c.range) {
                    return false;
                }
                if (o.off != c.off || !checkIds(o.id, c.id)) {
                    return false;
                }
                return rangeWithin(o, c) && o.varOff().contains(c.varOff());
            }
            case PTR_TO_STACK -> {
                return regsExact(o, c) && o.frameNo == c.frameNo;
            }
            default -> {
                return regsExact(o, c);
            }
        }
    }

    private boolean regsExact(RegState o, RegState c) {
        return sameReg(o, c) && checkIds(o.id, c.id) && checkIds(o.refObjId, c.refObjId);
    }

    private static boolean rangeWithin(RegState o, RegState c) {
        return Long.compareUnsigned(o.umin, c.umin) <= 0 && Long.compareUnsigned(c.umax, o.umax) <= 0 && o.smin <= c.smin
                && c.smax <= o.smax && Integer.compareUnsigned(o.u32min, c.u32min) <= 0 && Integer.compareUnsigned(c.u32max, o.u32max) <= 0
                && o.s32min <= c.s32min && c.s32max <= o.s32max;
    }

    /** Ids must correspond one to one between the two states (check_ids). */
    private boolean checkIds(int oldId, int curId) {
        if ((oldId == 0) != (curId == 0)) {
            return false;
        }
        if (oldId == 0) {
            return true;
        }
        for (int i = 0; i < idCount && i < idOld.length; i++) {
            if (idOld[i] == oldId) {
                return idCur[i] == curId;
            }
            if (idCur[i] == curId) {
                return false;
            }
        }
        if (idCount >= idOld.length) {
            return false;
        }
        idOld[idCount] = oldId;
        idCur[idCount] = curId;
        idCount++;
        return true;
    }

    private static final RegState UNBOUND = new RegState();

    static {
        UNBOUND.markUnknown();
    }

    private boolean stackSafe(FuncState old, FuncState cur, Exact exact, boolean complete) {
        for (int i = 0; i < old.allocated; i++) {
            int spi = i / 8;
            byte ot = old.slotType[i];
            if (exact == Exact.EXACT && (i >= cur.allocated || ot != cur.slotType[i])) {
                return false;
            }
            if (exact == Exact.NOT_EXACT && complete && (old.stackRead & (1L << spi)) == 0) {
                i += 7 - (i % 8);
                continue;
            }
            if (ot == StackSlot.INVALID) {
                continue;
            }
            if (i >= cur.allocated) {
                return false;
            }
            RegState oReg = scalarForSlot(old, spi);
            RegState cReg = scalarForSlot(cur, spi);
            if (oReg != null && cReg != null) {
                if (!regSafe(oReg, cReg, exact)) {
                    return false;
                }
                i += 7 - (i % 8);
                continue;
            }
            byte ct = cur.slotType[i];
            if (ot == StackSlot.MISC && ct == StackSlot.ZERO) {
                continue;
            }
            if (ot != ct) {
                return false;
            }
            if (i % 8 != 7) {
                continue;
            }
            if (ot == StackSlot.SPILL) {
                RegState a = old.spilled[spi], b = cur.spilled[spi];
                if (a == null || b == null || !regSafe(a, b, exact)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A full scalar spill, or an all-misc slot read as an unknown scalar (scalar_reg_for_stack). */
    private static RegState scalarForSlot(FuncState f, int spi) {
        if (f.isFullSpill(spi) && f.spilled[spi] != null && f.spilled[spi].type == RegType.SCALAR) {
            return f.spilled[spi];
        }
        if ((spi + 1) * 8 > f.allocated) {
            return null;
        }
        for (int j = 0; j < 8; j++) {
            if (f.slotType[spi * 8 + j] != StackSlot.MISC) {
                return null;
            }
        }
        return UNBOUND;
    }
}
