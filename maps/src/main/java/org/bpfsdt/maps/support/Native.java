package org.bpfsdt.maps.support;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Raw access to native addresses, for the program side of maps: keys and values arrive as
 * addresses and must be read without allocating. Atomic accesses need natural alignment.
 */
public final class Native {
    /** The whole address space; offsets into it are addresses. */
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private Native() {
    }

    public static long getLong(long addr) {
        return ALL.get(ValueLayout.JAVA_LONG, addr);
    }

    public static void putLong(long addr, long v) {
        ALL.set(ValueLayout.JAVA_LONG, addr, v);
    }

    public static int getInt(long addr) {
        return ALL.get(ValueLayout.JAVA_INT, addr);
    }

    public static void putInt(long addr, int v) {
        ALL.set(ValueLayout.JAVA_INT, addr, v);
    }

    public static int getIntUnaligned(long addr) {
        return ALL.get(ValueLayout.JAVA_INT_UNALIGNED, addr);
    }

    public static long getLongAcquire(long addr) {
        return (long) LONG.getAcquire(ALL, addr);
    }

    public static void putLongRelease(long addr, long v) {
        LONG.setRelease(ALL, addr, v);
    }

    public static int getIntAcquire(long addr) {
        return (int) INT.getAcquire(ALL, addr);
    }

    public static void putIntRelease(long addr, int v) {
        INT.setRelease(ALL, addr, v);
    }

    public static int getAndSetInt(long addr, int v) {
        return (int) INT.getAndSet(ALL, addr, v);
    }

    public static long getAndBitwiseOrLong(long addr, long bits) {
        return (long) LONG.getAndBitwiseOr(ALL, addr, bits);
    }

    /** Copies {@code len} bytes between native addresses. */
    public static void copy(long src, long dst, long len) {
        MemorySegment.copy(ALL, src, ALL, dst, len);
    }

    /** Clears {@code len} bytes; word by word when both are multiples of 8, so no slice is made. */
    public static void zero(long addr, long len) {
        if (((addr | len) & 7) != 0) {
            ALL.asSlice(addr, len).fill((byte) 0);
            return;
        }
        for (long p = addr, end = addr + len; p < end; p += 8) {
            ALL.set(ValueLayout.JAVA_LONG, p, 0);
        }
    }

    /** Whether {@code len} bytes at native {@code addr} equal those of {@code seg} at {@code off}. */
    public static boolean equals(MemorySegment seg, long off, long addr, long len) {
        return MemorySegment.mismatch(seg, off, off + len, ALL, addr, addr + len) < 0;
    }

    /** {@code n} rounded up to a multiple of 8, as the kernel's {@code round_up(n, 8)}. */
    public static long round8(long n) {
        return (n + 7) & ~7L;
    }
}
