package org.bpfsdt.verifier.domain;

import static org.bpfsdt.api.isa.Opcodes.*;

/**
 * Transfer functions of the ALU on scalars (the kernel's adjust_scalar_min_max_vals): each
 * operation computes the result's tnum and 64- and 32-bit bounds from the operands', then
 * {@link RegState#sync()} makes them agree. Operations the domain cannot follow (division,
 * shifts by unknown amounts) give an unknown scalar, as the kernel does.
 */
public final class ScalarOps {
    private ScalarOps() {
    }

    /** Whether the result's range can be computed (is_safe_to_compute_dst_reg_range). */
    public static boolean computable(int op, boolean alu32, RegState src) {
        if (op == NEG) {
            return true;
        }
        boolean srcConst;
        if (alu32) {
            srcConst = src.varOff().subregIsConst() && src.s32min == src.s32max && src.u32min == src.u32max;
        } else {
            srcConst = src.isConst() && src.smin == src.smax && src.umin == src.umax;
        }
        return switch (op) {
            case ADD, SUB, NEG, AND, XOR, OR, MUL -> true;
            case LSH, RSH, ARSH -> srcConst && Long.compareUnsigned(src.umax, alu32 ? 32 : 64) < 0;
            default -> false;
        };
    }

    /** {@code dst = dst op src} on scalars; {@code dst}'s type stays scalar. */
    public static void apply(int op, boolean alu32, RegState dst, RegState src) {
        if (!computable(op, alu32, src)) {
            // as the kernel: not even the zero upper half of a 32-bit result is kept
            dst.markUnknown();
            return;
        }
        switch (op) {
            case ADD -> {
                add32(dst, src);
                add64(dst, src);
                dst.varOff(dst.varOff().add(src.varOff()));
            }
            case SUB -> {
                sub32(dst, src);
                sub64(dst, src);
                dst.varOff(dst.varOff().sub(src.varOff()));
            }
            case NEG -> {
                RegState v = new RegState(dst);
                dst.setKnown(0);
                sub32(dst, v);
                sub64(dst, v);
                dst.varOff(v.varOff().neg());
            }
            case MUL -> {
                dst.varOff(dst.varOff().mul(src.varOff()));
                mul32(dst, src);
                mul64(dst, src);
            }
            case AND -> {
                dst.varOff(dst.varOff().and(src.varOff()));
                bitwise32(dst, src, (int) dst.tValue, RegState.umin32(dst.u32max, src.u32max));
                bitwise64(dst, src, dst.tValue, RegState.umin64(dst.umax, src.umax));
            }
            case OR -> {
                dst.varOff(dst.varOff().or(src.varOff()));
                bitwise32(dst, src, RegState.umax32(dst.u32min, src.u32min), (int) (dst.tValue | dst.tMask));
                bitwise64(dst, src, RegState.umax64(dst.umin, src.umin), dst.tValue | dst.tMask);
            }
            case XOR -> {
                dst.varOff(dst.varOff().xor(src.varOff()));
                bitwise32(dst, src, (int) dst.tValue, (int) (dst.tValue | dst.tMask));
                bitwise64(dst, src, dst.tValue, dst.tValue | dst.tMask);
            }
            case LSH -> {
                if (alu32) {
                    lsh32(dst, src);
                } else {
                    lsh64(dst, src);
                }
            }
            case RSH -> {
                if (alu32) {
                    rsh32(dst, src);
                } else {
                    rsh64(dst, src);
                }
            }
            case ARSH -> {
                if (alu32) {
                    arsh32(dst, src);
                } else {
                    arsh64(dst, src);
                }
            }
            default -> throw new IllegalStateException("not computable: " + op);
        }
        if (alu32) {
            dst.zext32To64();
        }
        dst.sync();
    }

    // ---- add / sub ----------------------------------------------------------------------

    private static void add32(RegState d, RegState s) {
        long lo = (long) d.s32min + s.s32min;
        long hi = (long) d.s32max + s.s32max;
        if (lo != (int) lo || hi != (int) hi) {
            d.s32min = Integer.MIN_VALUE;
            d.s32max = Integer.MAX_VALUE;
        } else {
            d.s32min = (int) lo;
            d.s32max = (int) hi;
        }
        long ulo = (d.u32min & 0xffffffffL) + (s.u32min & 0xffffffffL);
        long uhi = (d.u32max & 0xffffffffL) + (s.u32max & 0xffffffffL);
        if (ulo > 0xffffffffL || uhi > 0xffffffffL) {
            d.u32min = 0;
            d.u32max = -1;
        } else {
            d.u32min = (int) ulo;
            d.u32max = (int) uhi;
        }
    }

    /** The 64-bit bounds of {@code d + s}, unbounded where a sum may overflow (also a pointer's variable offset). */
    public static void add64(RegState d, RegState s) {
        long lo = d.smin + s.smin;
        long hi = d.smax + s.smax;
        if (addOverflows(d.smin, s.smin, lo) || addOverflows(d.smax, s.smax, hi)) {
            d.smin = Long.MIN_VALUE;
            d.smax = Long.MAX_VALUE;
        } else {
            d.smin = lo;
            d.smax = hi;
        }
        long ulo = d.umin + s.umin;
        long uhi = d.umax + s.umax;
        if (Long.compareUnsigned(ulo, d.umin) < 0 || Long.compareUnsigned(uhi, d.umax) < 0) {
            d.umin = 0;
            d.umax = -1L;
        } else {
            d.umin = ulo;
            d.umax = uhi;
        }
    }

    static boolean addOverflows(long a, long b, long r) {
        return ((a ^ r) & (b ^ r)) < 0;
    }

    static boolean subOverflows(long a, long b, long r) {
        return ((a ^ b) & (a ^ r)) < 0;
    }

    private static void sub32(RegState d, RegState s) {
        long lo = (long) d.s32min - s.s32max;
        long hi = (long) d.s32max - s.s32min;
        if (lo != (int) lo || hi != (int) hi) {
            d.s32min = Integer.MIN_VALUE;
            d.s32max = Integer.MAX_VALUE;
        } else {
            d.s32min = (int) lo;
            d.s32max = (int) hi;
        }
        if (Integer.compareUnsigned(d.u32min, s.u32max) < 0) {
            d.u32min = 0;
            d.u32max = -1;
        } else {
            int umin = d.u32min - s.u32max;
            int umax = d.u32max - s.u32min;
            d.u32min = umin;
            d.u32max = umax;
        }
    }

    /** The 64-bit bounds of {@code d - s}, unbounded where a difference may overflow (also a pointer's variable offset). */
    public static void sub64(RegState d, RegState s) {
        long lo = d.smin - s.smax;
        long hi = d.smax - s.smin;
        if (subOverflows(d.smin, s.smax, lo) || subOverflows(d.smax, s.smin, hi)) {
            d.smin = Long.MIN_VALUE;
            d.smax = Long.MAX_VALUE;
        } else {
            d.smin = lo;
            d.smax = hi;
        }
        if (Long.compareUnsigned(d.umin, s.umax) < 0) {
            d.umin = 0;
            d.umax = -1L;
        } else {
            long umin = d.umin - s.umax;
            long umax = d.umax - s.umin;
            d.umin = umin;
            d.umax = umax;
        }
    }

    // ---- mul -----------------------------------------------------------------------------

    private static void mul32(RegState d, RegState s) {
        // products of two u32 reach 2^64: compare them unsigned
        long umax = (d.u32max & 0xffffffffL) * (s.u32max & 0xffffffffL);
        long umin = (d.u32min & 0xffffffffL) * (s.u32min & 0xffffffffL);
        if (Long.compareUnsigned(umax, 0xffffffffL) > 0 || Long.compareUnsigned(umin, 0xffffffffL) > 0) {
            d.u32min = 0;
            d.u32max = -1;
        } else {
            d.u32min = (int) umin;
            d.u32max = (int) umax;
        }
        long p0 = (long) d.s32min * s.s32min;
        long p1 = (long) d.s32min * s.s32max;
        long p2 = (long) d.s32max * s.s32min;
        long p3 = (long) d.s32max * s.s32max;
        if (p0 != (int) p0 || p1 != (int) p1 || p2 != (int) p2 || p3 != (int) p3) {
            d.s32min = Integer.MIN_VALUE;
            d.s32max = Integer.MAX_VALUE;
        } else {
            d.s32min = (int) Math.min(Math.min(p0, p1), Math.min(p2, p3));
            d.s32max = (int) Math.max(Math.max(p0, p1), Math.max(p2, p3));
        }
    }

    private static void mul64(RegState d, RegState s) {
        long umaxHi = Math.unsignedMultiplyHigh(d.umax, s.umax);
        long uminHi = Math.unsignedMultiplyHigh(d.umin, s.umin);
        if (umaxHi != 0 || uminHi != 0) {
            d.umin = 0;
            d.umax = -1L;
        } else {
            d.umin = d.umin * s.umin;
            d.umax = d.umax * s.umax;
        }
        try {
            long p0 = Math.multiplyExact(d.smin, s.smin);
            long p1 = Math.multiplyExact(d.smin, s.smax);
            long p2 = Math.multiplyExact(d.smax, s.smin);
            long p3 = Math.multiplyExact(d.smax, s.smax);
            d.smin = Math.min(Math.min(p0, p1), Math.min(p2, p3));
            d.smax = Math.max(Math.max(p0, p1), Math.max(p2, p3));
        } catch (ArithmeticException e) {
            d.smin = Long.MIN_VALUE;
            d.smax = Long.MAX_VALUE;
        }
    }

    // ---- bitwise -------------------------------------------------------------------------

    /**
     * The 32-bit bounds of AND, OR and XOR (scalar32_min_max_and/or/xor), given the result's
     * tnum in {@code d} and the unsigned bounds each operation derives: the known result when
     * both low halves are constants, else those bounds, signed as well when they do not cross
     * the sign bit.
     */
    private static void bitwise32(RegState d, RegState s, int umin, int umax) {
        if (s.varOff().subregIsConst() && d.varOff().subregIsConst()) {
            d.s32min = d.s32max = (int) d.tValue;
            d.u32min = d.u32max = (int) d.tValue;
            return;
        }
        d.u32min = umin;
        d.u32max = umax;
        signed32FromUnsigned(d);
    }

    /** The 64-bit bounds of AND, OR and XOR, as {@link #bitwise32} (scalar_min_max_and/or/xor). */
    private static void bitwise64(RegState d, RegState s, long umin, long umax) {
        if (s.isConst() && d.isConst()) {
            d.setKnown(d.tValue);
            return;
        }
        d.umin = umin;
        d.umax = umax;
        signed64FromUnsigned(d);
        d.updateBounds();
    }

    private static void signed32FromUnsigned(RegState d) {
        if (d.u32min <= d.u32max) {
            d.s32min = d.u32min;
            d.s32max = d.u32max;
        } else {
            d.s32min = Integer.MIN_VALUE;
            d.s32max = Integer.MAX_VALUE;
        }
    }

    private static void signed64FromUnsigned(RegState d) {
        if (d.umin <= d.umax) {
            d.smin = d.umin;
            d.smax = d.umax;
        } else {
            d.smin = Long.MIN_VALUE;
            d.smax = Long.MAX_VALUE;
        }
    }

    // ---- shifts (amount is a known constant here) ----------------------------------------

    private static void lsh32Bounds(RegState d, long uminVal, long umaxVal) {
        d.s32min = Integer.MIN_VALUE;
        d.s32max = Integer.MAX_VALUE;
        if (umaxVal > 31 || Long.compareUnsigned(d.u32max & 0xffffffffL, 1L << (31 - umaxVal)) > 0) {
            d.u32min = 0;
            d.u32max = -1;
        } else {
            d.u32min <<= uminVal;
            d.u32max <<= umaxVal;
        }
    }

    private static void lsh32(RegState d, RegState s) {
        long uminVal = s.u32min & 0xffffffffL;
        long umaxVal = s.u32max & 0xffffffffL;
        Tnum sub = d.varOff().subreg();
        lsh32Bounds(d, uminVal, umaxVal);
        d.varOff(sub.lshift((int) uminVal).subreg());
        d.mark64Unbounded();
        d.update32Bounds();
    }

    private static void lsh64(RegState d, RegState s) {
        long uminVal = s.umin;
        long umaxVal = s.umax;
        // <<32 of a non-negative 32-bit value keeps its sign: the compiler's sign-extension idiom
        d.smax = uminVal == 32 && umaxVal == 32 && d.s32max >= 0 ? (long) d.s32max << 32 : Long.MAX_VALUE;
        d.smin = uminVal == 32 && umaxVal == 32 && d.s32min >= 0 ? (long) d.s32min << 32 : Long.MIN_VALUE;
        if (Long.compareUnsigned(d.umax, 1L << (63 - umaxVal)) > 0) {
            d.umin = 0;
            d.umax = -1L;
        } else {
            d.umin <<= uminVal;
            d.umax <<= umaxVal;
        }
        lsh32Bounds(d, uminVal, umaxVal);
        d.varOff(d.varOff().lshift((int) uminVal));
        d.updateBounds();
    }

    private static void rsh32(RegState d, RegState s) {
        int uminVal = s.u32min;
        int umaxVal = s.u32max;
        Tnum sub = d.varOff().subreg();
        d.s32min = Integer.MIN_VALUE;
        d.s32max = Integer.MAX_VALUE;
        d.varOff(sub.rshift(uminVal));
        d.u32min = d.u32min >>> umaxVal;
        d.u32max = d.u32max >>> uminVal;
        d.mark64Unbounded();
        d.update32Bounds();
    }

    private static void rsh64(RegState d, RegState s) {
        int uminVal = (int) s.umin;
        int umaxVal = (int) s.umax;
        d.smin = Long.MIN_VALUE;
        d.smax = Long.MAX_VALUE;
        d.varOff(d.varOff().rshift(uminVal));
        d.umin = d.umin >>> umaxVal;
        d.umax = d.umax >>> uminVal;
        d.mark32Unbounded();
        d.updateBounds();
    }

    private static void arsh32(RegState d, RegState s) {
        int uminVal = s.u32min;
        d.s32min >>= uminVal;
        d.s32max >>= uminVal;
        d.varOff(d.varOff().subreg().arshift(uminVal, 32));
        d.u32min = 0;
        d.u32max = -1;
        d.mark64Unbounded();
        d.update32Bounds();
    }

    private static void arsh64(RegState d, RegState s) {
        int uminVal = (int) s.umin;
        d.smin >>= uminVal;
        d.smax >>= uminVal;
        d.varOff(d.varOff().arshift(uminVal, 64));
        d.umin = 0;
        d.umax = -1L;
        d.mark32Unbounded();
        d.updateBounds();
    }
}
