package org.bpfsdt.core.helpers;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.core.exec.NativeMemory;
import org.bpfsdt.core.interp.HelperTable;

/** Helpers that XDP and TC programs share: {@code bpf_csum_diff} and {@code bpf_redirect}. */
final class PacketHelpers {
    /** {@code sizeof(bpf_scratchpad.diff)}: the most bytes {@code bpf_csum_diff} compares. */
    static final int CSUM_DIFF_MAX = 512;
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
     * {@code bpf_csum_diff}: the checksum of the 4-byte words of {@code to} minus those of
     * {@code from} (as their complements), added to {@code seed}, as x86-64's
     * {@code csum_partial} computes it over the kernel's scratch buffer: a ones'-complement sum of
     * little-endian 64-bit words, folded to 32 bits.
     */
    static long csumDiff(long from, long fromSize, long to, long toSize, long seed) {
        long fs = fromSize & 0xffffffffL;
        long ts = toSize & 0xffffffffL;
        if (((fs | ts) & 3) != 0 || fs + ts > CSUM_DIFF_MAX) {
            return -Errno.EINVAL.code();
        }
        long sum = seed & 0xffffffffL;
        long pending = -1;
        for (long i = 0; i < fs + ts; i += 4) {
            long word = i < fs ? ~NativeMemory.u32(from + i) & 0xffffffffL : NativeMemory.u32(to + i - fs);
            // pairs of 32-bit words make the 64-bit words csum_partial adds
            if (pending < 0) {
                pending = word;
            } else {
                sum = add(sum, pending | word << 32);
                pending = -1;
            }
        }
        if (pending >= 0) {
            sum = add(sum, pending);
        }
        return (sum + Long.rotateRight(sum, 32)) >>> 32;
    }

    /** 64-bit addition with the carry folded back in ({@code addq; adcq $0}). */
    private static long add(long a, long b) {
        long s = a + b;
        return Long.compareUnsigned(s, a) < 0 ? s + 1 : s;
    }
}
