package org.bpfsdt.core.helpers;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.core.exec.NativeMemory;
import org.bpfsdt.core.interp.HelperTable;

/** Helpers that XDP and TC programs share: {@code bpf_csum_diff} and {@code bpf_redirect}. */
final class PacketHelpers {
    static final long XDP_ABORTED = 0, XDP_REDIRECT = 4, TC_ACT_SHOT = 2, TC_ACT_REDIRECT = 7;
    private static final long BPF_F_INGRESS = 1;

    private PacketHelpers() {
    }

    static void register(HelperTable t, HelperRuntime rt) {
        t.register(StandardHelpers.proto(HelperId.CSUM_DIFF), (st, from, fromSize, to, toSize, seed) -> csumDiff(from, fromSize, to, toSize, seed));
        // one helper number, two kernel functions: bpf_xdp_redirect for XDP, bpf_redirect for TC
        t.register(StandardHelpers.proto(HelperId.REDIRECT), (st, ifindex, flags, a3, a4, a5) -> {
            if (rt.programType(st.programId()) == ProgramType.XDP) {
                return flags != 0 ? XDP_ABORTED : XDP_REDIRECT;
            }
            return (flags & ~BPF_F_INGRESS) != 0 ? TC_ACT_SHOT : TC_ACT_REDIRECT;
        });
    }

    /**
     * {@code bpf_csum_diff} as current kernels compute it: the checksum of {@code to} minus the
     * checksum of {@code from}, starting from {@code seed}, folded to 16 bits; either side may be
     * empty. The partial sums are x86-64's {@code csum_partial}: ones'-complement sums of the
     * buffer's little-endian 64-bit words (the tail zero-padded) folded to 32 bits.
     */
    static long csumDiff(long from, long fromSize, long to, long toSize, long seed) {
        long fs = fromSize & 0xffffffffL;
        long ts = toSize & 0xffffffffL;
        int ret = (int) seed;
        if (fs != 0 && ts != 0) {
            ret = sub32(partial(to, ts, ret), partial(from, fs, 0));
        } else if (ts != 0) {
            ret = partial(to, ts, ret);
        } else if (fs != 0) {
            ret = ~partial(from, fs, ~ret);
        }
        return from32to16(ret);
    }

    /** x86-64's {@code csum_partial(buf, len, sum)}. */
    static int partial(long buf, long len, int sum) {
        long acc = Integer.toUnsignedLong(sum);
        long i = 0;
        for (; i + 8 <= len; i += 8) {
            acc = add(acc, NativeMemory.u64(buf + i));
        }
        if (i < len) {
            long trail = 0;
            for (long b = len - 1; b >= i; b--) {
                trail = trail << 8 | NativeMemory.u8(buf + b);
            }
            acc = add(acc, trail);
        }
        return (int) ((acc + Long.rotateRight(acc, 32)) >>> 32);
    }

    /** {@code csum_sub}: {@code a + ~b} with the carry folded back in. */
    private static int sub32(int a, int b) {
        long s = Integer.toUnsignedLong(a) + Integer.toUnsignedLong(~b);
        return (int) (s + (s >>> 32));
    }

    /** {@code csum_from32to16}. */
    private static long from32to16(int sum) {
        int s = sum + ((sum >>> 16) | (sum << 16));
        return (s >>> 16) & 0xffff;
    }

    /** 64-bit addition with the carry folded back in ({@code addq; adcq $0}). */
    private static long add(long a, long b) {
        long s = a + b;
        return Long.compareUnsigned(s, a) < 0 ? s + 1 : s;
    }
}
