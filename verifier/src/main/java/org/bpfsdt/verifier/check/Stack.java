package org.bpfsdt.verifier.check;

import org.bpfsdt.api.Errno;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.domain.FuncState;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.domain.StackSlot;
import org.bpfsdt.verifier.domain.VerifierState;

/**
 * Stack accesses (the kernel's check_stack_read/write and check_stack_range_initialized): spills
 * keep a register's full state, fills restore it, partial and variable-offset accesses work on
 * byte types, and reading a byte never written is an error.
 */
final class Stack {
    private final Env env;
    private final Precision precision;

    Stack(Env env, Precision precision) {
        this.env = env;
        this.precision = precision;
    }

    /** The access must stay inside the 512-byte frame, below fp (check_stack_access_within_bounds). */
    void withinBounds(int regno, RegState reg, int off, int size, boolean write, FuncState target) {
        String what = write ? " write to" : " read from";
        long minOff, maxOff;
        if (reg.isConst()) {
            minOff = reg.tValue + off;
            maxOff = minOff + size;
        } else {
            if (reg.smax >= Env.MAX_VAR_OFF || reg.smin <= -Env.MAX_VAR_OFF) {
                throw VerifyError.access("invalid unbounded variable-offset%s stack R%d", what, regno);
            }
            minOff = reg.smin + off;
            maxOff = reg.smax + off + size;
        }
        Errno err = null;
        if (minOff < -FuncState.MAX_STACK || minOff > -1) {
            err = Errno.EACCES;
        } else if (maxOff > 0) {
            err = Errno.EINVAL;
        }
        if (err != null) {
            String msg = reg.isConst()
                    ? String.format("invalid%s stack R%d off=%d size=%d", what, regno, off, size)
                    : String.format("invalid variable-offset%s stack R%d var_off=%s off=%d size=%d", what, regno, reg.varOff(), off, size);
            throw new VerifyError(err, msg);
        }
        grow(target, (int) minOff);
    }

    void grow(FuncState f, int minOff) {
        f.growStack(minOff);
        if (-minOff > env.subprogStack[f.subprog]) {
            env.subprogStack[f.subprog] = -minOff;
        }
    }

    // ---- writes ---------------------------------------------------------------------------

    void write(int ptrReg, RegState ptr, FuncState target, int off, int size, int valueReg) {
        if (ptr.isConst()) {
            writeFixed(target, (int) (ptr.tValue + off), size, valueReg);
        } else {
            writeVar(ptr, target, off, size, valueReg);
        }
    }

    private void writeFixed(FuncState st, int off, int size, int valueReg) {
        int slot = -off - 1;
        int spi = slot / 8;
        VerifierState vs = env.cur;
        FuncState cur = vs.cur();
        RegState reg = valueReg >= 0 ? cur.regs[valueReg] : null;
        if (st.isSpilled(spi) && st.spilled[spi] != null && st.spilled[spi].type != RegType.SCALAR && size != 8) {
            throw VerifyError.access("attempt to corrupt spilled pointer on stack");
        }
        if (st.frameNo == vs.curFrame) {
            env.scratchSlot(spi);
        }
        boolean spill;
        if (reg != null && off % 8 == 0 && reg.type == RegType.SCALAR) {
            boolean fits = regWidth(reg) <= 8 * size;
            if (fits && reg.id == 0 && !reg.isConst()) {
                reg.id = env.newId();
            }
            spillSlot(st, spi, size).copyFrom(reg);
            if (!fits) {
                st.spilled[spi].id = 0;
            }
            spill = true;
        } else if (reg == null && off % 8 == 0 && storesImmediate()) {
            // st [fp-8], imm: a known constant, kept like a spilled register
            spillSlot(st, spi, size).markKnown(env.insns[env.insnIdx].imm());
            spill = true;
        } else if (reg != null && reg.isPointer()) {
            if (size != 8) {
                throw VerifyError.access("invalid size of register spill");
            }
            if (st != cur && reg.type == RegType.PTR_TO_STACK) {
                throw VerifyError.invalid("cannot spill pointers to stack into stack frame of the caller");
            }
            spillSlot(st, spi, size).copyFrom(reg);
            spill = true;
        } else {
            byte type = StackSlot.MISC;
            // a plain write breaks any spill in the slot; its other bytes stay initialised
            st.breakSpill(spi);
            if (reg != null && reg.type == RegType.SCALAR && reg.isConst(0)) {
                precision.mark(valueReg);
                type = StackSlot.ZERO;
            } else if (reg == null && storesImmediate() && env.insns[env.insnIdx].imm() == 0) {
                type = StackSlot.ZERO;
            }
            for (int i = 0; i < size; i++) {
                st.slotType[slot - i] = type;
            }
            spill = false;
        }
        if (size == 8) {
            st.stackWritten |= 1L << spi;
        }
        if (spill) {
            vs.history.mark(env.insnIdx, env.prevInsnIdx, VerifierState.History.stackFlags(st.frameNo, spi), 0, 0);
        }
    }

    /** Whether the instruction writing without a value register is {@code st} (an atomic or a helper writes unknown data). */
    private boolean storesImmediate() {
        return org.bpfsdt.api.isa.Opcodes.cls(env.insns[env.insnIdx].opcode()) == org.bpfsdt.api.isa.Opcodes.ST;
    }

    /** Bits the scalar's value may occupy (get_reg_width). */
    static int regWidth(RegState r) {
        return 64 - Long.numberOfLeadingZeros(r.umax);
    }

    /** Marks the low {@code size} bytes of slot {@code spi} spilled; returns the slot's register state for the caller to set. */
    private static RegState spillSlot(FuncState st, int spi, int size) {
        RegState saved = st.spilled[spi];
        if (saved == null) {
            // a state owns its spills (copies are deep), so one is reused until the spill is broken
            saved = new RegState();
            st.spilled[spi] = saved;
        }
        int i;
        for (i = 8; i > 8 - size; i--) {
            st.slotType[spi * 8 + i - 1] = StackSlot.SPILL;
        }
        for (; i > 0; i--) {
            byte b = st.slotType[spi * 8 + i - 1];
            // bytes beside a narrow spill keep what they were (uninitialised stays so)
            if (b == StackSlot.SPILL) {
                st.slotType[spi * 8 + i - 1] = StackSlot.MISC;
            }
        }
        return saved;
    }

    private void writeVar(RegState ptr, FuncState st, int off, int size, int valueReg) {
        RegState value = valueReg >= 0 ? env.cur.reg(valueReg) : null;
        boolean writingZero = value == null ? storesImmediate() && env.insns[env.insnIdx].imm() == 0
                : value.type == RegType.SCALAR && value.isConst(0);
        if (value != null && value.isPointer()) {
            throw VerifyError.access("R%d leaks addr into mem", valueReg);
        }
        int minOff = (int) (ptr.smin + off);
        int maxOff = (int) (ptr.smax + off + size);
        for (int i = minOff; i < maxOff; i++) {
            int slot = -i - 1;
            int spi = slot / 8;
            byte b = st.slotType[slot];
            if (b != StackSlot.MISC && b != StackSlot.ZERO) {
                if (b == StackSlot.INVALID) {
                    throw VerifyError.invalid("uninit stack in range of var-offset write prohibited for !root; insn %d, off: %d",
                            env.insnIdx, i);
                }
                RegState sp = st.spilled[spi];
                if (writingZero && b == StackSlot.SPILL && sp != null && sp.type == RegType.SCALAR && sp.isConst(0)) {
                    continue;
                }
                if (sp == null || sp.type != RegType.SCALAR) {
                    // overwriting part of a spilled pointer would let its bytes be read as data
                    throw VerifyError.invalid("spilled ptr in range of var-offset stack write; insn %d, ptr off: %d", env.insnIdx, i);
                }
                // a spilled scalar may be partly overwritten: the slot becomes plain data
                st.breakSpill(spi);
                b = st.slotType[slot];
            }
            st.slotType[slot] = writingZero && b == StackSlot.ZERO ? StackSlot.ZERO : StackSlot.MISC;
        }
        if (value != null && writingZero) {
            precision.mark(valueReg);
        }
    }

    // ---- reads ----------------------------------------------------------------------------

    void read(RegState ptr, FuncState target, int off, int size, int dstReg) {
        if (ptr.isConst()) {
            readFixed(target, (int) (ptr.tValue + off), size, dstReg);
        } else {
            int minOff = (int) (ptr.smin + off);
            int maxOff = (int) (ptr.smax + off + size);
            rangeInitialized(target, minOff, maxOff - minOff, "invalid variable-offset read from stack", -1, true);
            if (dstReg >= 0) {
                readInto(target, minOff, maxOff, dstReg);
            }
        }
    }

    private void readFixed(FuncState st, int off, int size, int dstReg) {
        int slot = -off - 1;
        int spi = slot / 8;
        VerifierState vs = env.cur;
        FuncState cur = vs.cur();
        if (st.frameNo == vs.curFrame) {
            env.scratchSlot(spi);
        }
        markRead(st.frameNo, spi);
        boolean fill = false;
        if (st.isSpilled(spi) && st.spilled[spi] != null) {
            RegState reg = st.spilled[spi];
            int spillSize = 1;
            for (int i = 7; i > 0 && st.slotType[spi * 8 + i - 1] == StackSlot.SPILL; i--) {
                spillSize++;
            }
            if (size != 8 || spillSize != 8) {
                if (reg.type != RegType.SCALAR) {
                    throw VerifyError.access("invalid size of register fill");
                }
                if (dstReg < 0) {
                    // an atomic reads the whole operand, bytes beside a narrow spill too (the kernel skips this check)
                    for (int i = 0; i < size; i++) {
                        if (st.slotType[slot - i] == StackSlot.INVALID) {
                            throw VerifyError.access("invalid read from stack off %d+%d size %d", off, i, size);
                        }
                    }
                    return;
                }
                RegState dst = cur.regs[dstReg];
                if (size <= spillSize && off % 8 == 0) {
                    if (size == 4 && spillSize == 4 && regWidth(reg) <= 32 && reg.id == 0 && !reg.isConst()) {
                        reg.id = env.newId();
                    }
                    dst.copyFrom(reg);
                    if (regWidth(reg) > size * 8) {
                        dst.id = 0;
                    }
                    fill = true;
                } else {
                    int spillCnt = 0, zeroCnt = 0;
                    for (int i = 0; i < size; i++) {
                        byte b = st.slotType[slot - i];
                        if (b == StackSlot.SPILL) {
                            spillCnt++;
                        } else if (b == StackSlot.ZERO) {
                            zeroCnt++;
                        } else if (b != StackSlot.MISC) {
                            throw VerifyError.access("invalid read from stack off %d+%d size %d", off, i, size);
                        }
                    }
                    if (spillCnt == size && reg.isConst(0)) {
                        dst.markKnown(0);
                        fill = true;
                    } else if (zeroCnt == size) {
                        dst.markKnown(0);
                    } else {
                        dst.markUnknown();
                    }
                }
            } else if (dstReg >= 0) {
                if (reg.type == RegType.SCALAR && reg.id == 0 && !reg.isConst()) {
                    reg.id = env.newId();
                }
                cur.regs[dstReg].copyFrom(reg);
                fill = true;
            } else if (reg.isPointer()) {
                throw VerifyError.access("leaking pointer from stack off %d", off);
            }
        } else {
            for (int i = 0; i < size; i++) {
                byte b = st.slotType[slot - i];
                if (b != StackSlot.MISC && b != StackSlot.ZERO) {
                    throw VerifyError.access("invalid read from stack off %d+%d size %d", off, i, size);
                }
            }
            if (dstReg >= 0) {
                readInto(st, off, off + size, dstReg);
            }
        }
        if (fill) {
            vs.history.mark(env.insnIdx, env.prevInsnIdx, VerifierState.History.stackFlags(st.frameNo, spi), 0, 0);
        }
    }

    /** Misc bytes read into a register: zero if they all are (mark_reg_stack_read). */
    private void readInto(FuncState st, int minOff, int maxOff, int dstReg) {
        int zeros = 0;
        for (int i = minOff; i < maxOff; i++) {
            int slot = -i - 1;
            if (st.frameNo == env.cur.curFrame) {
                env.scratchSlot(slot / 8);
            }
            if (st.slotType[slot] != StackSlot.ZERO) {
                break;
            }
            zeros++;
        }
        RegState dst = env.cur.cur().regs[dstReg];
        if (zeros == maxOff - minOff) {
            dst.markKnown(0);
        } else {
            dst.markUnknown();
        }
    }

    /**
     * Bytes {@code [off, off+size)} of {@code st} must be initialised for a reader that takes them
     * as plain memory (helper arguments, variable-offset loads); spilled pointers may not be read
     * as data (check_stack_range_initialized). {@code clobber} marks them written by a helper.
     */
    void rangeInitialized(FuncState st, int off, int size, String what, int regno, boolean read) {
        for (int i = off; i < off + size; i++) {
            int slot = -i - 1;
            int spi = slot / 8;
            if (slot >= st.allocated) {
                throw VerifyError.access("%s R%d off %d+%d size %d", what, regno, off, i - off, size);
            }
            byte b = st.slotType[slot];
            if (b == StackSlot.MISC || b == StackSlot.ZERO) {
                markRead(st.frameNo, spi);
                continue;
            }
            if (b == StackSlot.SPILL && st.spilled[spi] != null) {
                if (st.spilled[spi].type == RegType.SCALAR) {
                    markRead(st.frameNo, spi);
                    continue;
                }
                throw VerifyError.access("leaking pointer from stack off %d", i);
            }
            if (regno >= 0) {
                throw VerifyError.access("%s R%d off %d+%d size %d", what, regno, off, i - off, size);
            }
            throw VerifyError.access("%s off %d+%d size %d", what, off, i - off, size);
        }
    }

    /** A helper writes {@code [off, off+size)}: the bytes become initialised data and spills there are gone. */
    void clobber(FuncState st, int off, int size) {
        for (int i = off; i < off + size; i++) {
            int slot = -i - 1;
            st.breakSpill(slot / 8);
            st.slotType[slot] = StackSlot.MISC;
        }
        for (int spi = (-(off + size)) / 8; spi <= (-off - 1) / 8; spi++) {
            int lo = -(spi + 1) * 8;
            if (spi >= 0 && lo >= off && lo + 8 <= off + size) {
                st.stackWritten |= 1L << spi;
            }
        }
    }

    /**
     * Stack liveness: a slot read now makes its value at every earlier checkpoint of this path
     * matter, back to the segment that wrote it (the kernel's mark_reg_read on stack slots).
     */
    void markRead(int frameNo, int spi) {
        long bit = 1L << spi;
        VerifierState st = env.cur;
        if ((st.frames[frameNo].stackWritten & bit) != 0) {
            return;
        }
        for (VerifierState p = st.parent; p != null; p = p.parent) {
            if (p.curFrame < frameNo) {
                return;
            }
            FuncState f = p.frames[frameNo];
            f.stackRead |= bit;
            if ((f.stackWritten & bit) != 0) {
                return;
            }
        }
    }
}
