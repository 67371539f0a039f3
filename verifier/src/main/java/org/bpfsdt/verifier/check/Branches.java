package org.bpfsdt.verifier.check;

import static org.bpfsdt.api.isa.Opcodes.*;

import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.domain.FuncState;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.domain.ScalarOps;
import org.bpfsdt.verifier.domain.Tnum;
import org.bpfsdt.verifier.domain.VerifierState;

/**
 * Conditional jumps (the kernel's check_cond_jmp_op): decide the branch when the operands'
 * bounds do, otherwise explore both with each side's bounds refined; null checks turn
 * {@code *_or_null} into pointers, comparisons with {@code data_end} give packet ranges, and
 * copies of a compared scalar learn the same bounds.
 */
final class Branches {
    /** Marker for the false side of JSET (the kernel's {@code BPF_JSET | BPF_X} trick). */
    private static final int JSET_FALSE = JSET | X;

    private final Env env;
    private final Regs regs;
    private final Precision precision;
    private final Checker checker;
    /** Scratch registers for an immediate operand (one verification runs on one thread). */
    private final RegState immediate = new RegState(), immediateTrue = new RegState(), immediateFalse = new RegState();
    /** Scratch register: the constant between two linked copies. */
    private final RegState delta = new RegState();

    Branches(Env env, Regs regs, Precision precision, Checker checker) {
        this.env = env;
        this.regs = regs;
        this.precision = precision;
        this.checker = checker;
    }

    /** Returns the next instruction of the current path (the pushed other side is explored later). */
    int check(Insn in, int idx) {
        int code = in.opcode();
        int op = op(code);
        boolean jmp32 = cls(code) == JMP32;
        VerifierState thisBranch = env.cur;
        RegState dst = regs.read(in.dst());
        RegState src;
        boolean regSrc = source(code) == X;
        if (regSrc) {
            src = regs.read(in.src());
            if (!(pktAny(dst) && pktAny(src)) && src.isPointer()) {
                throw VerifyError.access("R%d pointer comparison prohibited", in.src());
            }
        } else {
            src = immediate;
            src.markKnown(in.imm());
        }
        int target = in.jumpTarget(idx);
        int fall = idx + 1;
        int pred = branchTaken(dst, src, op, jmp32);
        if (pred >= 0) {
            if (!dst.isPointer()) {
                precision.mark(in.dst());
            }
            if (regSrc && !src.isPointer()) {
                precision.mark(in.src());
            }
            InsnData a = env.aux[idx];
            if (pred == 1) {
                a.taken = true;
                return target;
            }
            a.fallthrough = true;
            return fall;
        }
        InsnData a = env.aux[idx];
        a.taken = true;
        a.fallthrough = true;
        // copies of the compared scalars learn the same bounds; record them for precision tracking
        int linkedRegs = 0;
        long linkedSlots = 0;
        FuncState f = thisBranch.cur();
        for (int k = 0; k < 2; k++) {
            RegState r = k == 0 ? (regSrc ? src : null) : dst;
            if (r == null || r.type != RegType.SCALAR || r.id == 0) {
                continue;
            }
            for (int i = 0; i < 10; i++) {
                if (f.regs[i].type == RegType.SCALAR && f.regs[i].id == r.id) {
                    linkedRegs |= 1 << i;
                }
            }
            for (int spi = 0; spi < f.allocated / 8; spi++) {
                RegState s = f.spilled[spi];
                if (s != null && f.isSpilled(spi) && s.type == RegType.SCALAR && s.id == r.id) {
                    linkedSlots |= 1L << spi;
                }
            }
            unlinkOtherFrames(thisBranch, r.id);
        }
        if (Integer.bitCount(linkedRegs) + Long.bitCount(linkedSlots) > 1) {
            thisBranch.history.mark(idx, env.prevInsnIdx, 0, linkedRegs, linkedSlots);
        }
        VerifierState other = checker.pushStack(target, idx);
        RegState[] otherRegs = other.cur().regs;
        if (regSrc) {
            setMinMax(otherRegs[in.dst()], otherRegs[in.src()], dst, src, op, jmp32);
        } else {
            // the refinement may narrow the constant operand: two scratch copies, one per side
            immediateTrue.copyFrom(src);
            immediateFalse.copyFrom(src);
            setMinMax(otherRegs[in.dst()], immediateTrue, dst, immediateFalse, op, jmp32);
        }
        boolean thisDead = false, otherDead = false;
        if (dst.type == RegType.SCALAR) {
            thisDead |= !dst.boundsConsistent();
            otherDead |= !otherRegs[in.dst()].boundsConsistent();
        }
        if (regSrc && src.type == RegType.SCALAR) {
            thisDead |= !src.boundsConsistent();
            otherDead |= !otherRegs[in.src()].boundsConsistent();
        }
        if (regSrc && src.type == RegType.SCALAR && src.id != 0) {
            syncLinked(thisBranch, src);
            syncLinked(other, otherRegs[in.src()]);
        }
        if (dst.type == RegType.SCALAR && dst.id != 0) {
            syncLinked(thisBranch, dst);
            syncLinked(other, otherRegs[in.dst()]);
        }
        if (!jmp32 && regSrc && src.isPointer() && dst.isPointer() && src.maybeNull() != dst.maybeNull()
                && src.type != RegType.PTR_TO_BTF_ID && dst.type != RegType.PTR_TO_BTF_ID) {
            RegState[] eq = op == JEQ ? otherRegs : op == JNE ? f.regs : null;
            if (eq != null) {
                markNotNull(src.maybeNull() ? eq[in.src()] : eq[in.dst()]);
            }
        }
        if (!jmp32 && !regSrc && in.imm() == 0 && (op == JEQ || op == JNE) && dst.maybeNull()) {
            markPtrOrNull(thisBranch, in.dst(), op == JNE);
            markPtrOrNull(other, in.dst(), op == JEQ);
        } else if (!matchPktPointers(in, dst, regSrc ? src : null, thisBranch, other) && dst.isPointer()) {
            throw VerifyError.access("R%d pointer comparison prohibited", in.dst());
        }
        if (otherDead) {
            checker.dropPushed(other);
        }
        if (thisDead) {
            return -1;
        }
        return fall;
    }

    private static boolean pktAny(RegState r) {
        return r.isPacket() || r.type == RegType.PTR_TO_PACKET_END;
    }

    /** Linked copies in other frames are unlinked: only the current frame's copies are refined and tracked. */
    private static void unlinkOtherFrames(VerifierState st, int id) {
        for (int fr = 0; fr < st.curFrame; fr++) {
            FuncState f = st.frames[fr];
            for (RegState r : f.regs) {
                if (r.type == RegType.SCALAR && r.id == id) {
                    r.id = 0;
                }
            }
            for (int spi = 0; spi < f.allocated / 8; spi++) {
                RegState s = f.spilled[spi];
                if (s != null && s.type == RegType.SCALAR && s.id == id) {
                    s.id = 0;
                }
            }
        }
    }

    /** Copies everything learnt about {@code known} to the scalars that share its id (sync_linked_regs). */
    private void syncLinked(VerifierState st, RegState known) {
        FuncState f = st.cur();
        int id = known.id;
        for (RegState r : f.regs) {
            if (r != known && r.type == RegType.SCALAR && r.id == id) {
                syncOne(r, known);
            }
        }
        for (int spi = 0; spi < f.allocated / 8; spi++) {
            RegState s = f.spilled[spi];
            if (s != null && s != known && f.isSpilled(spi) && s.type == RegType.SCALAR && s.id == id) {
                syncOne(s, known);
            }
        }
    }

    /** {@code reg} learns {@code known}'s value, shifted by the constant difference of their offsets. */
    private void syncOne(RegState reg, RegState known) {
        int kOff = known.addConst ? known.off : 0;
        int rOff = reg.addConst ? reg.off : 0;
        boolean addConst = reg.addConst;
        int off = reg.off;
        reg.copyFrom(known);
        if (rOff != kOff) {
            delta.markKnown((long) rOff - kOff);
            ScalarOps.apply(ADD, false, reg, delta);
        }
        reg.addConst = addConst;
        reg.off = off;
    }

    private static void markNotNull(RegState r) {
        r.flags &= ~RegState.MAYBE_NULL;
    }

    /** After {@code if rX == 0}: every copy of the pointer is null on one side and valid on the other (mark_ptr_or_null_regs). */
    private void markPtrOrNull(VerifierState st, int regno, boolean isNull) {
        RegState reg = st.reg(regno);
        int id = reg.id;
        int ref = reg.refObjId;
        if (ref != 0 && ref == id && isNull) {
            st.removeRef(id);
        }
        Memory.forEachReg(st, r -> {
            if (r.maybeNull() && r.id == id) {
                if (isNull) {
                    r.markKnown(0);
                    return;
                }
                r.flags &= ~RegState.MAYBE_NULL;
                boolean lockable = r.type == RegType.PTR_TO_MAP_VALUE && r.mapIndex >= 0 && env.spinLockOffset(r.mapIndex) >= 0;
                if (!lockable) {
                    r.id = 0;
                }
            }
        });
    }

    // ---- packet comparisons ----------------------------------------------------------------

    private static boolean initPkt(RegState r, RegType t) {
        return r.type == t && r.off == 0 && r.isConst(0);
    }

    private boolean matchPktPointers(Insn in, RegState dst, RegState src, VerifierState thisB, VerifierState otherB) {
        if (src == null || cls(in.opcode()) == JMP32) {
            return false;
        }
        boolean dstPkt = (dst.type == RegType.PTR_TO_PACKET && src.type == RegType.PTR_TO_PACKET_END)
                || (dst.type == RegType.PTR_TO_PACKET_META && initPkt(src, RegType.PTR_TO_PACKET));
        boolean srcPkt = (dst.type == RegType.PTR_TO_PACKET_END && src.type == RegType.PTR_TO_PACKET)
                || (initPkt(dst, RegType.PTR_TO_PACKET) && src.type == RegType.PTR_TO_PACKET_META);
        if (!dstPkt && !srcPkt) {
            return false;
        }
        // P is the moved packet pointer, E the end (or data, for meta); "this" falls through, "other" jumps
        int p = dstPkt ? in.dst() : in.src();
        RegState pkt = dstPkt ? dst : src;
        int op = op(in.opcode());
        if (srcPkt) {
            op = flip(op);
        }
        switch (op) {
            case JGT -> {             // P > E jumps out of bounds
                Memory.findGoodPktPointers(thisB, pkt, pkt.type, false);
                Memory.markPktEnd(otherB, p, true);
            }
            case JLT -> {             // P < E jumps in bounds
                Memory.findGoodPktPointers(otherB, pkt, pkt.type, true);
                Memory.markPktEnd(thisB, p, false);
            }
            case JGE -> {             // P >= E jumps out of bounds
                Memory.findGoodPktPointers(thisB, pkt, pkt.type, true);
                Memory.markPktEnd(otherB, p, false);
            }
            case JLE -> {             // P <= E jumps in bounds
                Memory.findGoodPktPointers(otherB, pkt, pkt.type, false);
                Memory.markPktEnd(thisB, p, true);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---- deciding branches -----------------------------------------------------------------

    static int flip(int op) {
        return switch (op) {
            case JGT -> JLT;
            case JGE -> JLE;
            case JLT -> JGT;
            case JLE -> JGE;
            case JSGT -> JSLT;
            case JSGE -> JSLE;
            case JSLT -> JSGT;
            case JSLE -> JSGE;
            default -> op;
        };
    }

    static int reverse(int op) {
        return switch (op) {
            case JEQ -> JNE;
            case JNE -> JEQ;
            case JGT -> JLE;
            case JLE -> JGT;
            case JGE -> JLT;
            case JLT -> JGE;
            case JSGT -> JSLE;
            case JSLE -> JSGT;
            case JSGE -> JSLT;
            case JSLT -> JSGE;
            case JSET -> JSET_FALSE;
            default -> op;
        };
    }

    private static boolean notNull(RegState r) {
        if (r.maybeNull()) {
            return false;
        }
        return switch (r.type) {
            case PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, PTR_TO_MEM, CONST_PTR_TO_MAP -> true;
            default -> false;
        };
    }

    private static boolean isConst(RegState r, boolean jmp32) {
        return jmp32 ? r.varOff().subregIsConst() : r.isConst();
    }

    private static long constValue(RegState r, boolean jmp32) {
        return jmp32 ? r.tValue & 0xffffffffL : r.tValue;
    }

    /** 1 when the branch is always taken, 0 when never, -1 when it depends (is_branch_taken). */
    static int branchTaken(RegState r1, RegState r2, int op, boolean jmp32) {
        if (pktAny(r1) && pktAny(r2) && !jmp32) {
            return pktBranchTaken(r1, r2, op);
        }
        if (r1.isPointer() || r2.isPointer()) {
            if (!isConst(r2, jmp32)) {
                op = flip(op);
                RegState t = r1;
                r1 = r2;
                r2 = t;
            }
            if (!isConst(r2, jmp32) || r2.isPointer()) {
                return -1;
            }
            if (!notNull(r1)) {
                return -1;
            }
            if (constValue(r2, jmp32) != 0) {
                return -1;
            }
            return op == JEQ ? 0 : op == JNE ? 1 : -1;
        }
        return scalarBranchTaken(r1, r2, op, jmp32);
    }

    private static int pktBranchTaken(RegState dst, RegState src, int op) {
        RegState pkt;
        if (src.type == RegType.PTR_TO_PACKET_END) {
            pkt = dst;
        } else if (dst.type == RegType.PTR_TO_PACKET_END) {
            pkt = src;
            op = flip(op);
        } else {
            return -1;
        }
        if (pkt.range >= 0) {
            return -1;
        }
        switch (op) {
            case JLE, JGT -> {
                if (pkt.range == Memory.BEYOND_PKT_END) {
                    return op == JGT ? 1 : 0;
                }
            }
            case JLT, JGE -> {
                if (pkt.range == Memory.BEYOND_PKT_END || pkt.range == Memory.AT_PKT_END) {
                    return op == JGE ? 1 : 0;
                }
            }
            default -> {
            }
        }
        return -1;
    }

    static int scalarBranchTaken(RegState r1, RegState r2, int op, boolean jmp32) {
        Tnum t1 = jmp32 ? r1.varOff().subreg() : r1.varOff();
        Tnum t2 = jmp32 ? r2.varOff().subreg() : r2.varOff();
        long umin1 = jmp32 ? r1.u32min & 0xffffffffL : r1.umin, umax1 = jmp32 ? r1.u32max & 0xffffffffL : r1.umax;
        long smin1 = jmp32 ? r1.s32min : r1.smin, smax1 = jmp32 ? r1.s32max : r1.smax;
        long umin2 = jmp32 ? r2.u32min & 0xffffffffL : r2.umin, umax2 = jmp32 ? r2.u32max & 0xffffffffL : r2.umax;
        long smin2 = jmp32 ? r2.s32min : r2.smin, smax2 = jmp32 ? r2.s32max : r2.smax;
        switch (op) {
            case JEQ, JNE -> {
                int eq = op == JEQ ? 1 : 0;
                if (t1.isConst() && t2.isConst()) {
                    return (t1.value() == t2.value()) ? eq : 1 - eq;
                }
                if (Long.compareUnsigned(umin1, umax2) > 0 || Long.compareUnsigned(umax1, umin2) < 0) {
                    return 1 - eq;
                }
                if (smin1 > smax2 || smax1 < smin2) {
                    return 1 - eq;
                }
                if (!jmp32) {
                    if (Integer.compareUnsigned(r1.u32min, r2.u32max) > 0 || Integer.compareUnsigned(r1.u32max, r2.u32min) < 0) {
                        return 1 - eq;
                    }
                    if (r1.s32min > r2.s32max || r1.s32max < r2.s32min) {
                        return 1 - eq;
                    }
                }
            }
            case JSET -> {
                if (!isConst(r2, jmp32)) {
                    RegState t = r1;
                    r1 = r2;
                    r2 = t;
                    Tnum tt = t1;
                    t1 = t2;
                    t2 = tt;
                }
                if (!isConst(r2, jmp32)) {
                    return -1;
                }
                if (((~t1.mask()) & t1.value() & t2.value()) != 0) {
                    return 1;
                }
                if (((t1.mask() | t1.value()) & t2.value()) == 0) {
                    return 0;
                }
            }
            case JGT -> {
                if (Long.compareUnsigned(umin1, umax2) > 0) {
                    return 1;
                } else if (Long.compareUnsigned(umax1, umin2) <= 0) {
                    return 0;
                }
            }
            case JSGT -> {
                if (smin1 > smax2) {
                    return 1;
                } else if (smax1 <= smin2) {
                    return 0;
                }
            }
            case JLT -> {
                if (Long.compareUnsigned(umax1, umin2) < 0) {
                    return 1;
                } else if (Long.compareUnsigned(umin1, umax2) >= 0) {
                    return 0;
                }
            }
            case JSLT -> {
                if (smax1 < smin2) {
                    return 1;
                } else if (smin1 >= smax2) {
                    return 0;
                }
            }
            case JGE -> {
                if (Long.compareUnsigned(umin1, umax2) >= 0) {
                    return 1;
                } else if (Long.compareUnsigned(umax1, umin2) < 0) {
                    return 0;
                }
            }
            case JSGE -> {
                if (smin1 >= smax2) {
                    return 1;
                } else if (smax1 < smin2) {
                    return 0;
                }
            }
            case JLE -> {
                if (Long.compareUnsigned(umax1, umin2) <= 0) {
                    return 1;
                } else if (Long.compareUnsigned(umin1, umax2) > 0) {
                    return 0;
                }
            }
            case JSLE -> {
                if (smax1 <= smin2) {
                    return 1;
                } else if (smin1 > smax2) {
                    return 0;
                }
            }
            default -> {
            }
        }
        return -1;
    }

    // ---- refining bounds on each side --------------------------------------------------------

    /** reg_set_min_max: {@code trueX} are the taken branch's registers, {@code falseX} the fallthrough's. */
    static void setMinMax(RegState true1, RegState true2, RegState false1, RegState false2, int op, boolean jmp32) {
        if (false1.type != RegType.SCALAR || false2.type != RegType.SCALAR) {
            return;
        }
        if (false1 == false2) {
            return;
        }
        refine(false1, false2, reverse(op), jmp32);
        false1.sync();
        false2.sync();
        refine(true1, true2, op, jmp32);
        true1.sync();
        true2.sync();
    }

    /** regs_refine_cond_op: what {@code reg1 op reg2} being true says about both. */
    static void refine(RegState reg1, RegState reg2, int op, boolean jmp32) {
        switch (op) {
            case JGE, JGT, JSGE, JSGT -> {
                // only the "less than" forms are written out below
                op = flip(op);
                RegState t = reg1;
                reg1 = reg2;
                reg2 = t;
            }
            case JNE, JSET, JSET_FALSE -> {
                // these learn only from a constant operand, kept in reg2
                if (!isConst(reg2, jmp32)) {
                    RegState t = reg1;
                    reg1 = reg2;
                    reg2 = t;
                }
                if (!isConst(reg2, jmp32)) {
                    return;
                }
            }
            default -> {
            }
        }
        switch (op) {
            case JEQ -> {
                if (jmp32) {
                    reg1.u32min = RegState.umax32(reg1.u32min, reg2.u32min);
                    reg1.u32max = RegState.umin32(reg1.u32max, reg2.u32max);
                    reg1.s32min = Math.max(reg1.s32min, reg2.s32min);
                    reg1.s32max = Math.min(reg1.s32max, reg2.s32max);
                    reg2.u32min = reg1.u32min;
                    reg2.u32max = reg1.u32max;
                    reg2.s32min = reg1.s32min;
                    reg2.s32max = reg1.s32max;
                    Tnum t = reg1.varOff().subreg().intersect(reg2.varOff().subreg());
                    reg1.varOff(reg1.varOff().withSubreg(t));
                    reg2.varOff(reg2.varOff().withSubreg(t));
                } else {
                    reg1.umin = RegState.umax64(reg1.umin, reg2.umin);
                    reg1.umax = RegState.umin64(reg1.umax, reg2.umax);
                    reg1.smin = Math.max(reg1.smin, reg2.smin);
                    reg1.smax = Math.min(reg1.smax, reg2.smax);
                    reg2.umin = reg1.umin;
                    reg2.umax = reg1.umax;
                    reg2.smin = reg1.smin;
                    reg2.smax = reg1.smax;
                    reg1.varOff(reg1.varOff().intersect(reg2.varOff()));
                    reg2.varOff(reg1.varOff());
                }
            }
            case JNE -> {
                long val = constValue(reg2, jmp32);
                if (jmp32) {
                    if (reg1.u32min == (int) val) {
                        reg1.u32min++;
                    }
                    if (reg1.u32max == (int) val) {
                        reg1.u32max--;
                    }
                    if (reg1.s32min == (int) val) {
                        reg1.s32min++;
                    }
                    if (reg1.s32max == (int) val) {
                        reg1.s32max--;
                    }
                } else {
                    if (reg1.umin == val) {
                        reg1.umin++;
                    }
                    if (reg1.umax == val) {
                        reg1.umax--;
                    }
                    if (reg1.smin == val) {
                        reg1.smin++;
                    }
                    if (reg1.smax == val) {
                        reg1.smax--;
                    }
                }
            }
            case JSET -> {
                long val = constValue(reg2, jmp32);
                if (Long.bitCount(val) != 1) {
                    return;
                }
                if (jmp32) {
                    Tnum t = reg1.varOff().subreg().or(Tnum.constant(val));
                    reg1.varOff(reg1.varOff().withSubreg(t));
                } else {
                    reg1.varOff(reg1.varOff().or(Tnum.constant(val)));
                }
            }
            case JSET_FALSE -> {
                long val = constValue(reg2, jmp32);
                reg1.markUnbounded();
                if (jmp32) {
                    Tnum t = reg1.varOff().subreg().and(Tnum.constant(~val));
                    reg1.varOff(reg1.varOff().withSubreg(t));
                } else {
                    reg1.varOff(reg1.varOff().and(Tnum.constant(~val)));
                }
            }
            case JLE, JLT -> {
                // reg1 <= reg2 - d and reg2 >= reg1 + d: d is 1 for the strict comparison
                int d = op == JLT ? 1 : 0;
                if (jmp32) {
                    reg1.u32max = RegState.umin32(reg1.u32max, reg2.u32max - d);
                    reg2.u32min = RegState.umax32(reg1.u32min + d, reg2.u32min);
                } else {
                    reg1.umax = RegState.umin64(reg1.umax, reg2.umax - d);
                    reg2.umin = RegState.umax64(reg1.umin + d, reg2.umin);
                }
            }
            case JSLE, JSLT -> {
                int d = op == JSLT ? 1 : 0;
                if (jmp32) {
                    reg1.s32max = Math.min(reg1.s32max, reg2.s32max - d);
                    reg2.s32min = Math.max(reg1.s32min + d, reg2.s32min);
                } else {
                    reg1.smax = Math.min(reg1.smax, reg2.smax - d);
                    reg2.smin = Math.max(reg1.smin + d, reg2.smin);
                }
            }
            default -> {
            }
        }
    }
}
