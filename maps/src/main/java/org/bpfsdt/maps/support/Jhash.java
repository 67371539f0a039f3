package org.bpfsdt.maps.support;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Bob Jenkins' lookup3 hash as the kernel's {@code jhash()} computes it (and {@code jhash2()},
 * which gives the same result for whole 32-bit words on a little-endian host), so hash maps
 * iterate and bloom filters set bits exactly as Linux does for the same seed.
 */
public final class Jhash {
    private static final int INITVAL = 0xdeadbeef;

    private Jhash() {
    }

    /** The hash of {@code len} bytes of {@code seg} at {@code off}. */
    public static int hash(MemorySegment seg, long off, int len, int initval) {
        int a = INITVAL + len + initval;
        int b = a;
        int c = a;
        long p = off;
        int left = len;
        while (left > 12) {
            a += seg.get(ValueLayout.JAVA_INT_UNALIGNED, p);
            b += seg.get(ValueLayout.JAVA_INT_UNALIGNED, p + 4);
            c += seg.get(ValueLayout.JAVA_INT_UNALIGNED, p + 8);
            // mix
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            left -= 12;
            p += 12;
        }
        if (left == 0) {
            return c;
        }
        a += tail(seg, p, left, 0);
        b += tail(seg, p, left, 4);
        c += tail(seg, p, left, 8);
        // final
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    /** The little-endian word made of the bytes {@code [from, from + 4)} of the last {@code left} bytes, missing ones as 0. */
    private static int tail(MemorySegment seg, long p, int left, int from) {
        int w = 0;
        for (int i = Math.min(left, from + 4) - 1; i >= from; i--) {
            w = (w << 8) | (seg.get(ValueLayout.JAVA_BYTE, p + i) & 0xff);
        }
        return w;
    }
}
