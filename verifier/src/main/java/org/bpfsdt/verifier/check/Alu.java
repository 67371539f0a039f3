package org.bpfsdt.verifier.check;

import static org.bpfsdt.api.isa.Opcodes.*;

import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.domain.ScalarOps;
import org.bpfsdt.verifier.log.InsnPrinter;
import org.bpfsdt.verifier.log.StatePrinter;

/** ALU instructions on scalars and pointers (the kernel's check_alu_op and adjust_*_min_max_vals). */
final class Alu {
    private final Env env;
    private final Regs regs;
    private final Precision precision;
    /** Scratch registers: an immediate operand, snapshots of operands (one verification runs on one thread). */
    private final RegState immediate = new RegState(), aliasCopy = new RegState(), ptrCopy = new RegState(), offCopy = new RegState();

    Alu(Env env, Regs regs, Precision precision) {
        this.env = env;
        this.regs = regs;
        this.precision = precision;
    }

    void check(Insn in) {
        int code = in.opcode();
        int op = op(code);
        boolean alu32 = cls(code) == ALU;
        int d = in.dst();
        if (op == END || op == NEG) {
            RegState dst = regs.read(d);
            if (dst.isPointer()) {
                throw VerifyError.access("R%d pointer arithmetic prohibited", d);
            }
            if (op == NEG) {
                regs.write(d);
                ScalarOps.apply(NEG, alu32, dst, null);
                dst.id = 0;
                dst.addConst = false;
                dst.off = 0;
            } else {
                regs.write(d).markUnknown();
            }
            return;
        }
        if (op == MOV) {
            mov(in, alu32);
            return;
        }
        RegState src = null;
        if (source(code) == X) {
            src = regs.read(in.src());
        }
        RegState dst = regs.read(d);
        if ((op == MOD || op == DIV) && source(code) == K && in.imm() == 0) {
            throw VerifyError.invalid("div by zero");
        }
        if ((op == LSH || op == RSH || op == ARSH) && source(code) == K) {
            int size = alu32 ? 32 : 64;
            if (in.imm() < 0 || in.imm() >= size) {
                throw VerifyError.invalid("invalid shift %d", in.imm());
            }
        }
        if (op == DIV || op == MOD) {
            InsnData a = env.aux[env.insnIdx];
            a.divVisited = true;
            if (source(code) == X && !divisorNonZero(src, alu32)) {
                a.divNonZero = false;
            }
        }
        regs.write(d);
        adjust(in, alu32, op, dst, src);
    }

    private static boolean divisorNonZero(RegState src, boolean alu32) {
        if (src.type != RegType.SCALAR) {
            return false;
        }
        return alu32 ? src.u32min != 0 : src.umin != 0;
    }

    private void mov(Insn in, boolean alu32) {
        int d = in.dst();
        if (source(in.opcode()) == K) {
            RegState dst = regs.write(d);
            dst.markKnown(alu32 ? in.imm() & 0xffffffffL : in.imm());
            return;
        }
        RegState src = regs.read(in.src());
        RegState dst = regs.write(d);
        int off = in.off();
        if (!alu32) {
            if (off == 0) {
                copyLinked(dst, src, true);
            } else if (src.isPointer()) {
                throw VerifyError.access("R%d sign-extension part of pointer", in.src());
            } else {
                copyLinked(dst, src, signExtensionFree(src, off));
                dst.coerceToSizeSx(off >> 3);
            }
            return;
        }
        if (src.isPointer()) {
            throw VerifyError.access("R%d partial copy of pointer", in.src());
        }
        if (src.addConst) {
            // a 32-bit copy of "x + k" is not "x + k" once it wraps: no link
            dst.copyFrom(src);
            dst.id = 0;
            dst.addConst = false;
            dst.off = 0;
            if (off == 0) {
                dst.zext32To64();
                dst.sync();
            } else {
                dst.coerceSubregToSizeSx(off >> 3);
            }
            return;
        }
        if (off == 0) {
            copyLinked(dst, src, Long.compareUnsigned(src.umax, 0xffffffffL) <= 0);
            dst.zext32To64();
            dst.sync();
        } else {
            copyLinked(dst, src, signExtensionFree(src, off));
            dst.coerceSubregToSizeSx(off >> 3);
        }
    }

    /** Whether a sign-extending copy of the low {@code bits} of {@code src} leaves its value as it is. */
    private static boolean signExtensionFree(RegState src, int bits) {
        return Long.compareUnsigned(src.umax, 1L << (bits - 1)) < 0;
    }

    /** {@code dst = src}, the two linked (sharing an id) when the copy keeps the value, else not. */
    private void copyLinked(RegState dst, RegState src, boolean sameValue) {
        if (sameValue) {
            assignScalarId(src);
        }
        dst.copyFrom(src);
        if (!sameValue) {
            dst.id = 0;
        }
    }

    /** Copies of an unknown scalar share an id, so a later comparison refines all of them (assign_scalar_id_before_mov). */
    private void assignScalarId(RegState src) {
        if (src.type == RegType.SCALAR && src.id == 0 && !src.isConst()) {
            src.id = env.newId();
        }
    }

    private void adjust(Insn in, boolean alu32, int op, RegState dst, RegState src) {
        if (src == dst) {
            aliasCopy.copyFrom(src);
            src = aliasCopy;
        }
        RegState ptr = dst.isPointer() ? dst : null;
        if (src != null) {
            if (src.isPointer()) {
                if (dst.isPointer()) {
                    if (op == SUB && sameObject(dst, src)) {
                        dst.markUnknown();
                        return;
                    }
                    if (op == SUB) {
                        throw VerifyError.access("R%d pointer -= pointer prohibited", in.dst());
                    }
                    throw VerifyError.access("R%d pointer %s pointer prohibited", in.dst(), InsnPrinter.aluOp(op));
                }
                precision.mark(in.dst());
                adjustPointer(in, alu32, op, dst, src, dst);
                return;
            } else if (ptr != null) {
                precision.mark(in.src());
                adjustPointer(in, alu32, op, dst, dst, src);
                return;
            } else if (dst.precise) {
                precision.mark(in.src());
            }
        } else {
            RegState k = immediate;
            k.markKnown(in.imm());
            src = k;
            if (ptr != null) {
                adjustPointer(in, alu32, op, dst, dst, src);
                return;
            }
        }
        ScalarOps.apply(op, alu32, dst, src);
        linkConstantOffset(op, alu32, dst, src);
    }

    /**
     * {@code r1 = r2; r1 += 8}: r1 stays linked to r2 as "r2 + 8", so a later comparison of
     * either bounds both (the kernel's BPF_ADD_CONST); any other change ends the link.
     */
    private static void linkConstantOffset(int op, boolean alu32, RegState dst, RegState src) {
        if ((op == ADD || op == SUB) && !alu32 && dst.id != 0 && !dst.addConst && src.isConst()) {
            long val = src.tValue;
            if (val >= Integer.MIN_VALUE && val <= Integer.MAX_VALUE && !(op == SUB && val == Integer.MIN_VALUE)) {
                dst.addConst = true;
                dst.off = (int) (op == SUB ? -val : val);
                return;
            }
        }
        dst.id = 0;
        dst.off = 0;
        dst.addConst = false;
    }

    /** Two pointers into the same object, whose difference is a size rather than an address. */
    private static boolean sameObject(RegState a, RegState b) {
        if (a.maybeNull() || b.maybeNull()) {
            return false;
        }
        boolean pa = a.isPacket() || a.type == RegType.PTR_TO_PACKET_END;
        boolean pb = b.isPacket() || b.type == RegType.PTR_TO_PACKET_END;
        if (pa || pb) {
            return pa && pb;
        }
        if (a.type != b.type) {
            return false;
        }
        return switch (a.type) {
            case PTR_TO_STACK -> a.frameNo == b.frameNo;
            case PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY -> a.mapIndex == b.mapIndex;
            case PTR_TO_MEM -> a.refObjId == b.refObjId && a.memSize == b.memSize;
            default -> false;
        };
    }

    /**
     * {@code dst = ptr op off} where {@code off} is a scalar ({@code dst} may alias either):
     * the kernel's adjust_ptr_min_max_vals.
     */
    private void adjustPointer(Insn in, boolean alu32, int op, RegState dst, RegState ptrIn, RegState offIn) {
        int d = in.dst();
        RegState ptr = ptrCopy;
        ptr.copyFrom(ptrIn);
        RegState off = offCopy;
        off.copyFrom(offIn);
        boolean known = off.isConst();
        long sminVal = off.smin, smaxVal = off.smax, uminVal = off.umin, umaxVal = off.umax;
        if ((known && (sminVal != smaxVal || uminVal != umaxVal)) || sminVal > smaxVal || Long.compareUnsigned(uminVal, umaxVal) > 0) {
            // bounds that cannot hold (a dead branch's): forget the value
            dst.markUnknown();
            return;
        }
        if (alu32) {
            throw VerifyError.access("R%d 32-bit pointer arithmetic prohibited", d);
        }
        if (ptr.maybeNull()) {
            throw VerifyError.access("R%d pointer arithmetic on %s prohibited, null-check it first", d, StatePrinter.typeName(ptr));
        }
        switch (ptr.type) {
            case PTR_TO_CTX, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, PTR_TO_STACK, PTR_TO_PACKET_META, PTR_TO_PACKET, PTR_TO_MEM,
                    PTR_TO_BTF_ID, PTR_TO_FUNC -> {
            }
            case CONST_PTR_TO_MAP -> {
                if (!(known && sminVal == 0 && op == ADD)) {
                    throw VerifyError.access("R%d pointer arithmetic on %s prohibited", d, StatePrinter.typeName(ptr));
                }
            }
            default -> throw VerifyError.access("R%d pointer arithmetic on %s prohibited", d, StatePrinter.typeName(ptr));
        }
        if (op != ADD && op != SUB) {
            if (op == AND || op == OR || op == XOR) {
                throw VerifyError.access("R%d bitwise operator %s on pointer prohibited", d, InsnPrinter.aluOp(op));
            }
            throw VerifyError.access("R%d pointer arithmetic with %s operator prohibited", d, InsnPrinter.aluOp(op));
        }
        saneOffset(off, ptr);
        saneOffset(ptr, ptr);
        dst.copyFrom(ptr);
        dst.mark32Unbounded();
        // dst is ptr now: a constant moves the fixed offset, anything else the variable part
        if (op == ADD) {
            long sum = (long) ptr.off + sminVal;
            if (known && sum == (int) sum) {
                dst.off = (int) sum;
            } else {
                ScalarOps.add64(dst, off);
                dst.varOff(ptr.varOff().add(off.varOff()));
                if (ptr.isPacket()) {
                    dst.id = env.newId();
                    dst.range = 0;
                }
            }
        } else {
            if (dst == offIn && dst != ptrIn) {
                throw VerifyError.access("R%d tried to subtract pointer from scalar", d);
            }
            if (ptr.type == RegType.PTR_TO_STACK) {
                throw VerifyError.access("R%d subtraction from stack pointer prohibited", d);
            }
            long diff = (long) ptr.off - sminVal;
            if (known && diff == (int) diff) {
                dst.off = (int) diff;
            } else {
                ScalarOps.sub64(dst, off);
                dst.varOff(ptr.varOff().sub(off.varOff()));
                if (ptr.isPacket()) {
                    dst.id = env.newId();
                    if (sminVal < 0) {
                        dst.range = 0;
                    }
                }
            }
        }
        saneOffset(dst, ptr);
        dst.sync();
    }

    /** check_reg_sane_offset: offsets far outside any object are refused before they can wrap (EINVAL, as the kernel). */
    private static void saneOffset(RegState reg, RegState ptr) {
        long val = reg.tValue;
        if (reg.isConst() && (val >= Env.MAX_VAR_OFF || val <= -Env.MAX_VAR_OFF)) {
            throw VerifyError.invalid("math between %s pointer and %d is not allowed", StatePrinter.typeName(ptr), val);
        }
        if (reg.type != RegType.SCALAR && (reg.off >= Env.MAX_VAR_OFF || reg.off <= -Env.MAX_VAR_OFF)) {
            throw VerifyError.invalid("%s pointer offset %d is not allowed", StatePrinter.typeName(ptr), reg.off);
        }
        if (reg.smin == Long.MIN_VALUE) {
            throw VerifyError.invalid("math between %s pointer and register with unbounded min value is not allowed", StatePrinter.typeName(ptr));
        }
        if (reg.smin >= Env.MAX_VAR_OFF || reg.smin <= -Env.MAX_VAR_OFF) {
            throw VerifyError.invalid("value %d makes %s pointer be out of bounds", reg.smin, StatePrinter.typeName(ptr));
        }
    }
}
