package org.bpfsdt.verifier.domain;

/**
 * A tristate number: each bit is known 0, known 1, or unknown (set in {@code mask}); the bits
 * of {@code value} under the mask are 0. The kernel's {@code struct tnum} and its operations.
 */
public record Tnum(long value, long mask) {
    public static final Tnum UNKNOWN = new Tnum(0, -1L);
    public static final Tnum ZERO = new Tnum(0, 0);

    public static Tnum constant(long v) {
        return new Tnum(v, 0);
    }

    /** The mask of {@link #range(long, long)}: the bits below the highest bit where min and max differ. */
    public static long rangeMask(long min, long max) {
        long chi = min ^ max;
        int bits = 64 - Long.numberOfLeadingZeros(chi);
        return bits > 63 ? -1L : (1L << bits) - 1;
    }

    /** The smallest tnum holding every value of {@code [min, max]} (unsigned). */
    public static Tnum range(long min, long max) {
        long chi = min ^ max;
        int bits = 64 - Long.numberOfLeadingZeros(chi);
        if (bits > 63) {
            return UNKNOWN;
        }
        long delta = (1L << bits) - 1;
        return new Tnum(min & ~delta, delta);
    }

    public boolean isConst() {
        return mask == 0;
    }

    public Tnum lshift(int shift) {
        return new Tnum(value << shift, mask << shift);
    }

    public Tnum rshift(int shift) {
        return new Tnum(value >>> shift, mask >>> shift);
    }

    /** Arithmetic right shift within {@code bits} (32 or 64). */
    public Tnum arshift(int shift, int bits) {
        if (bits == 32) {
            return new Tnum((((int) value) >> shift) & 0xffffffffL, (((int) mask) >> shift) & 0xffffffffL);
        }
        return new Tnum(value >> shift, mask >> shift);
    }

    public Tnum add(Tnum b) {
        long sm = mask + b.mask;
        long sv = value + b.value;
        long sigma = sm + sv;
        long chi = sigma ^ sv;
        long mu = chi | mask | b.mask;
        return new Tnum(sv & ~mu, mu);
    }

    public Tnum sub(Tnum b) {
        long dv = value - b.value;
        long alpha = dv + mask;
        long beta = dv - b.mask;
        long chi = alpha ^ beta;
        long mu = chi | mask | b.mask;
        return new Tnum(dv & ~mu, mu);
    }

    public Tnum neg() {
        return ZERO.sub(this);
    }

    public Tnum and(Tnum b) {
        long alpha = value | mask;
        long beta = b.value | b.mask;
        long v = value & b.value;
        return new Tnum(v, alpha & beta & ~v);
    }

    public Tnum or(Tnum b) {
        long v = value | b.value;
        long mu = mask | b.mask;
        return new Tnum(v, mu & ~v);
    }

    public Tnum xor(Tnum b) {
        long v = value ^ b.value;
        long mu = mask | b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /**
     * Multiplication: certain bits of one operand select shifted copies of the other, uncertain
     * ones add uncertainty (the kernel's tnum_mul, in primitive arithmetic for speed).
     */
    public Tnum mul(Tnum b) {
        long accV = value * b.value;
        long mV = 0, mM = 0;
        long aV = value, aM = mask, bV = b.value, bM = b.mask;
        while (aV != 0 || aM != 0) {
            boolean certain = (aV & 1) != 0;
            if (certain || (aM & 1) != 0) {
                long addM = certain ? bM : bV | bM;
                // mV/mM += (0; addM)
                long sm = mM + addM;
                long sigma = sm + mV;
                long chi = sigma ^ mV;
                long mu = chi | mM | addM;
                mV &= ~mu;
                mM = mu;
            }
            aV >>>= 1;
            aM >>>= 1;
            bV <<= 1;
            bM <<= 1;
        }
        long sm = mM;
        long sv = accV + mV;
        long sigma = sm + sv;
        long chi = sigma ^ sv;
        long mu = chi | mM;
        return new Tnum(sv & ~mu, mu);
    }

    /** The values both describe (when they share one). */
    public Tnum intersect(Tnum b) {
        long v = value | b.value;
        long mu = mask & b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /** Truncated to {@code size} bytes. */
    public Tnum cast(int size) {
        if (size >= 8) {
            return this;
        }
        long m = (1L << (size * 8)) - 1;
        return new Tnum(value & m, mask & m);
    }

    public boolean isAligned(long size) {
        if (size == 0) {
            return true;
        }
        return ((value | mask) & (size - 1)) == 0;
    }

    /** Whether every value {@code b} describes is one this describes. */
    public boolean contains(Tnum b) {
        if ((b.mask & ~mask) != 0) {
            return false;
        }
        return value == (b.value & ~mask);
    }

    public Tnum subreg() {
        return cast(4);
    }

    public Tnum clearSubreg() {
        return rshift(32).lshift(32);
    }

    public Tnum withSubreg(Tnum sub) {
        return clearSubreg().or(sub.subreg());
    }

    public boolean subregIsConst() {
        return (mask & 0xffffffffL) == 0;
    }

    /** {@code (0x0; 0xff)}, as the kernel's log prints it. */
    @Override
    public String toString() {
        return "(" + hex(value) + "; " + hex(mask) + ")";
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
