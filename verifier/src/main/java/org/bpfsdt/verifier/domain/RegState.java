package org.bpfsdt.verifier.domain;

/**
 * The abstract value of one register or spilled stack slot, as the kernel's
 * {@code struct bpf_reg_state}: a type, a fixed offset for pointers, and for the variable part
 * (a scalar's value or a pointer's variable offset) a tnum with signed and unsigned 64- and
 * 32-bit bounds kept consistent by {@link #sync()}.
 *
 * <p>Mutable and copied field by field: the verifier makes millions of these transitions, so
 * it updates in place like the kernel does rather than allocating per step.
 */
public final class RegState {
    public static final int MAYBE_NULL = 1;
    public static final int RDONLY = 1 << 1;
    public static final int RINGBUF = 1 << 2;

    public RegType type = RegType.NOT_INIT;
    /** {@link #MAYBE_NULL}, {@link #RDONLY}, {@link #RINGBUF}. */
    public int flags;
    /** Fixed offset of a pointer. */
    public int off;
    public long tValue;
    public long tMask = -1L;
    public long smin = Long.MIN_VALUE, smax = Long.MAX_VALUE, umin = 0, umax = -1L;
    public int s32min = Integer.MIN_VALUE, s32max = Integer.MAX_VALUE, u32min = 0, u32max = -1;
    /** Links copies: the same pointer (null checks, packet ranges) or the same scalar (bounds). */
    public int id;
    /** The acquired reference this pointer stands for, or 0. */
    public int refObjId;
    /** Map of map pointers, values and keys: an index into the request's maps; for functions, the subprogram. */
    public int mapIndex = -1;
    /** Packet pointers: bytes after {@code off} proven readable. */
    public int range;
    /** Sized memory: its size. */
    public int memSize;
    /** Stack pointers: the frame they point into. */
    public int frameNo;
    /** BTF pointers: the struct type's id in the attach BTF. */
    public int btfId;
    /** Whether the exact value matters to some safety decision (scalars). */
    public boolean precise;
    /** Scalars: this register is a linked copy plus the constant {@link #off} (the kernel's BPF_ADD_CONST). */
    public boolean addConst;

    public RegState() {
    }

    public RegState(RegState o) {
        copyFrom(o);
    }

    public void copyFrom(RegState o) {
        type = o.type;
        flags = o.flags;
        off = o.off;
        tValue = o.tValue;
        tMask = o.tMask;
        smin = o.smin;
        smax = o.smax;
        umin = o.umin;
        umax = o.umax;
        s32min = o.s32min;
        s32max = o.s32max;
        u32min = o.u32min;
        u32max = o.u32max;
        id = o.id;
        refObjId = o.refObjId;
        mapIndex = o.mapIndex;
        range = o.range;
        memSize = o.memSize;
        frameNo = o.frameNo;
        btfId = o.btfId;
        precise = o.precise;
        addConst = o.addConst;
    }

    public Tnum varOff() {
        return new Tnum(tValue, tMask);
    }

    public void varOff(Tnum t) {
        tValue = t.value();
        tMask = t.mask();
    }

    public boolean isScalar() {
        return type == RegType.SCALAR;
    }

    public boolean isPointer() {
        return type != RegType.SCALAR && type != RegType.NOT_INIT;
    }

    public boolean maybeNull() {
        return (flags & MAYBE_NULL) != 0;
    }

    public boolean isConst() {
        return tMask == 0;
    }

    public boolean isConst(long v) {
        return tMask == 0 && tValue == v;
    }

    public boolean isPacket() {
        return type.isPacket();
    }

    // ---- whole-register transitions (the kernel's __mark_reg_*) ----------------------------

    public void markNotInit() {
        clearPointerFields();
        type = RegType.NOT_INIT;
        markUnbounded();
        tValue = 0;
        tMask = -1L;
        precise = false;
    }

    /** An unknown scalar. */
    public void markUnknown() {
        clearPointerFields();
        type = RegType.SCALAR;
        tValue = 0;
        tMask = -1L;
        markUnbounded();
        precise = false;
    }

    /** The scalar {@code v}. */
    public void markKnown(long v) {
        clearPointerFields();
        type = RegType.SCALAR;
        setKnown(v);
        precise = false;
    }

    /** Sets the variable part to the constant {@code v}, keeping the type (pointers' var_off too). */
    public void setKnown(long v) {
        tValue = v;
        tMask = 0;
        smin = smax = v;
        umin = umax = v;
        s32min = s32max = (int) v;
        u32min = u32max = (int) v;
    }

    private void clearPointerFields() {
        flags = 0;
        off = 0;
        id = 0;
        refObjId = 0;
        mapIndex = -1;
        range = 0;
        memSize = 0;
        frameNo = 0;
        btfId = 0;
        addConst = false;
    }

    /** A pointer of {@code t} at fixed offset 0 with a known-zero variable part. */
    public void markPointer(RegType t) {
        clearPointerFields();
        type = t;
        setKnown(0);
        precise = false;
    }

    public void markUnbounded() {
        mark64Unbounded();
        mark32Unbounded();
    }

    public void mark64Unbounded() {
        smin = Long.MIN_VALUE;
        smax = Long.MAX_VALUE;
        umin = 0;
        umax = -1L;
    }

    public void mark32Unbounded() {
        s32min = Integer.MIN_VALUE;
        s32max = Integer.MAX_VALUE;
        u32min = 0;
        u32max = -1;
    }

    // ---- bounds deduction (the kernel's reg_bounds_sync and helpers) -----------------------

    /** Learns bounds from the tnum (__update_reg_bounds). */
    public void updateBounds() {
        update32Bounds();
        update64Bounds();
    }

    void update32Bounds() {
        long v = tValue & 0xffffffffL;
        long m = tMask & 0xffffffffL;
        s32min = Math.max(s32min, (int) (v | (m & 0x80000000L)));
        s32max = Math.min(s32max, (int) (v | (m & 0x7fffffffL)));
        u32min = umax32((int) v, u32min);
        u32max = umin32((int) (v | m), u32max);
    }

    void update64Bounds() {
        smin = Math.max(smin, tValue | (tMask & Long.MIN_VALUE));
        smax = Math.min(smax, tValue | (tMask & Long.MAX_VALUE));
        umin = umax64(umin, tValue);
        umax = umin64(umax, tValue | tMask);
    }

    private void deduce32() {
        if ((umin >>> 32) == (umax >>> 32)) {
            u32min = umax32(u32min, (int) umin);
            u32max = umin32(u32max, (int) umax);
            if ((int) umin <= (int) umax) {
                s32min = Math.max(s32min, (int) umin);
                s32max = Math.min(s32max, (int) umax);
            }
        }
        if ((smin >> 32) == (smax >> 32)) {
            u32min = umax32(u32min, (int) smin);
            u32max = umin32(u32max, (int) smax);
            if ((int) smin <= (int) smax) {
                s32min = Math.max(s32min, (int) smin);
                s32max = Math.min(s32max, (int) smax);
            }
        }
        // upper halves two consecutive numbers while the lower half crosses from negative to positive
        if ((int) (umin >>> 32) + 1 == (int) (umax >>> 32) && (int) umin < 0 && (int) umax >= 0) {
            s32min = Math.max(s32min, (int) umin);
            s32max = Math.min(s32max, (int) umax);
        }
        if ((int) (smin >>> 32) + 1 == (int) (smax >>> 32) && (int) smin < 0 && (int) smax >= 0) {
            s32min = Math.max(s32min, (int) smin);
            s32max = Math.min(s32max, (int) smax);
        }
        // a u32 range that does not cross the sign bit is also an s32 range
        if (u32min <= u32max) {
            s32min = Math.max(s32min, u32min);
            s32max = Math.min(s32max, u32max);
        }
        if (Integer.compareUnsigned(s32min, s32max) <= 0) {
            u32min = umax32(s32min, u32min);
            u32max = umin32(s32max, u32max);
        }
    }

    private void deduce64() {
        if (umin <= umax) {
            smin = Math.max(smin, umin);
            smax = Math.min(smax, umax);
        }
        if (Long.compareUnsigned(smin, smax) <= 0) {
            umin = umax64(smin, umin);
            umax = umin64(smax, umax);
        } else {
            // the signed range crosses the sign boundary: it is split at both ends of the unsigned domain
            if (Long.compareUnsigned(umax, smin) < 0) {
                smin = umin;
                umax = umin64(umax, smax);
            } else if (Long.compareUnsigned(smax, umin) < 0) {
                smax = umax;
                umin = umax64(umin, smin);
            }
        }
    }

    private void deduceMixed() {
        long newUmin = (umin & 0xffffffff00000000L) | (u32min & 0xffffffffL);
        long newUmax = (umax & 0xffffffff00000000L) | (u32max & 0xffffffffL);
        umin = umax64(umin, newUmin);
        umax = umin64(umax, newUmax);
        long newSmin = (smin & 0xffffffff00000000L) | (u32min & 0xffffffffL);
        long newSmax = (smax & 0xffffffff00000000L) | (u32max & 0xffffffffL);
        smin = Math.max(smin, newSmin);
        smax = Math.min(smax, newSmax);
        // a non-negative 32-bit range inside the s32 range of the 64-bit value: the upper half is zero
        if (s32min >= 0 && smin >= Integer.MIN_VALUE && smax <= Integer.MAX_VALUE) {
            smin = s32min;
            smax = s32max;
            umin = s32min;
            umax = s32max;
            varOff(varOff().intersect(Tnum.range(smin, smax)));
        }
    }

    /**
     * Learns the tnum from the bounds (__reg_bound_offset), in primitive arithmetic: this runs
     * after every instruction, so it allocates nothing.
     */
    private void boundOffset() {
        long rm = Tnum.rangeMask(umin, umax);
        long rv = umin & ~rm;
        long m64 = tMask & rm;
        long v64 = (tValue | rv) & ~m64;
        long r32m = Tnum.rangeMask(u32min & 0xffffffffL, u32max & 0xffffffffL);
        long r32v = (u32min & 0xffffffffL) & ~r32m;
        long m32 = m64 & 0xffffffffL & r32m;
        long v32 = ((v64 & 0xffffffffL) | r32v) & ~m32;
        long v = (v64 & 0xffffffff00000000L) | v32;
        tMask = ((m64 & 0xffffffff00000000L) | m32) & ~v;
        tValue = v;
    }

    /** Brings tnum and the four ranges into agreement (reg_bounds_sync). */
    public void sync() {
        updateBounds();
        deduce32();
        deduce64();
        deduceMixed();
        deduce32();
        deduce64();
        deduceMixed();
        boundOffset();
        updateBounds();
    }

    /** Whether the bounds describe at least one value (false on a path that cannot happen). */
    public boolean boundsConsistent() {
        if (smin > smax || Long.compareUnsigned(umin, umax) > 0 || s32min > s32max || Integer.compareUnsigned(u32min, u32max) > 0) {
            return false;
        }
        if (tMask == 0) {
            return smin == tValue && smax == tValue && umin == tValue && umax == tValue
                    && s32min == (int) tValue && s32max == (int) tValue && u32min == (int) tValue && u32max == (int) tValue;
        }
        return true;
    }

    /** The 32-bit bounds become the 64-bit ones after a 32-bit operation zero-extends (zext_32_to_64). */
    public void zext32To64() {
        varOff(varOff().subreg());
        umin = u32min & 0xffffffffL;
        umax = u32max & 0xffffffffL;
        if (s32min >= 0 && s32max >= 0) {
            smin = s32min;
            smax = s32max;
        } else {
            smin = 0;
            smax = 0xffffffffL;
        }
    }

    /** Truncates to {@code size} bytes, zero-extending (coerce_reg_to_size). */
    public void coerceToSize(int size) {
        if (size >= 8) {
            return;
        }
        varOff(varOff().cast(size));
        long mask = (1L << (size * 8)) - 1;
        if ((umin & ~mask) == (umax & ~mask)) {
            umin &= mask;
            umax &= mask;
        } else {
            umin = 0;
            umax = mask;
        }
        smin = umin;
        smax = umax;
        if (size < 4) {
            mark32Unbounded();
        }
        sync();
    }

    /** Truncates to {@code size} bytes and sign-extends to 64 bits (coerce_reg_to_size_sx). */
    public void coerceToSizeSx(int size) {
        signExtendBounds(size * 8);
        sync();
    }

    private void signExtendBounds(int bits) {
        if (tMask == 0) {
            setKnown(signExtend(tValue, bits));
            return;
        }
        long topMax = (smax >>> bits) << bits;
        long topMin = (smin >>> bits) << bits;
        if (topMax == topMin) {
            long a = signExtend(smax, bits);
            long b = signExtend(smin, bits);
            long max = Math.max(a, b);
            long min = Math.min(a, b);
            if ((max >= 0) == (min >= 0)) {
                smin = min;
                smax = max;
                s32min = (int) min;
                s32max = (int) max;
                umin = min;
                umax = max;
                u32min = (int) min;
                u32max = (int) max;
                varOff(Tnum.range(min, max));
                return;
            }
        }
        long lo = -(1L << (bits - 1));
        long hi = (1L << (bits - 1)) - 1;
        smin = lo;
        smax = hi;
        s32min = (int) lo;
        s32max = (int) hi;
        umin = 0;
        umax = -1L;
        u32min = 0;
        u32max = -1;
        tValue = 0;
        tMask = -1L;
    }

    /** Sign-extends the low {@code size} bytes of the 32-bit subregister into 32 bits, zero upper half (coerce_subreg_to_size_sx). */
    public void coerceSubregToSizeSx(int size) {
        int bits = size * 8;
        if ((tMask & 0xffffffffL) == 0) {
            int v = (int) signExtend(tValue, bits);
            setKnown(v & 0xffffffffL);
            return;
        }
        int lo = -(1 << (bits - 1));
        int hi = (1 << (bits - 1)) - 1;
        long topMax = ((s32max & 0xffffffffL) >>> bits) << bits;
        long topMin = ((s32min & 0xffffffffL) >>> bits) << bits;
        if (topMax == topMin) {
            int a = (int) signExtend(s32max, bits);
            int b = (int) signExtend(s32min, bits);
            int max = Math.max(a, b);
            int min = Math.min(a, b);
            if ((max >= 0) == (min >= 0)) {
                lo = min;
                hi = max;
                s32min = lo;
                s32max = hi;
                u32min = lo;
                u32max = hi;
                varOff(Tnum.range(lo & 0xffffffffL, hi & 0xffffffffL));
                mark64Unbounded();
                zext32To64();
                sync();
                return;
            }
        }
        s32min = lo;
        s32max = hi;
        u32min = 0;
        u32max = -1;
        tValue = 0;
        tMask = 0xffffffffL;
        mark64Unbounded();
        zext32To64();
        sync();
    }

    public static long signExtend(long v, int bits) {
        int shift = 64 - bits;
        return (v << shift) >> shift;
    }

    // ---- unsigned helpers ----------------------------------------------------------------

    public static long umin64(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    public static long umax64(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    public static int umin32(int a, int b) {
        return Integer.compareUnsigned(a, b) <= 0 ? a : b;
    }

    public static int umax32(int a, int b) {
        return Integer.compareUnsigned(a, b) >= 0 ? a : b;
    }
}
