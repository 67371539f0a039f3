package org.bpfsdt.core.context;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;

/** {@code ctx_in} as the kernel's {@code bpf_ctx_init} takes it: zero-extended to the context's size, any bytes past it zero. */
final class ContextInput {
    /**
     * The one network device of a test run: the loopback device, ifindex 1, with one receive
     * queue, which is the device the kernel's test runs use when the context names none.
     */
    static final int LOOPBACK_IFINDEX = 1;
    /** {@code ETH_HLEN}: the smallest packet a test run takes. */
    static final int ETH_HLEN = 14;
    /** The page the kernel builds a test packet in. */
    static final int PAGE_SIZE = 4096;
    /** {@code SKB_DATA_ALIGN(sizeof(struct skb_shared_info))} on x86_64: the tailroom of every test packet. */
    static final int TAILROOM = 320;

    private ContextInput() {
    }

    /** {@code ctxIn} as {@code size} bytes, or {@code null} when none was given; {@code E2BIG} for non-zero bytes past {@code size}. */
    static byte[] read(byte[] ctxIn, int size, String type) {
        if (ctxIn == null) {
            return null;
        }
        for (int i = size; i < ctxIn.length; i++) {
            if (ctxIn[i] != 0) {
                throw new BpfException(Errno.E2BIG, "ctx_in has " + ctxIn.length + " bytes, and byte " + i
                        + " past the " + size + " of struct " + type + " is not zero");
            }
        }
        byte[] out = new byte[size];
        System.arraycopy(ctxIn, 0, out, 0, Math.min(size, ctxIn.length));
        return out;
    }

    static int u32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    static void put32(byte[] b, int off, long v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    /** Whether bytes {@code [from, to)} of {@code b} are all zero. */
    static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
