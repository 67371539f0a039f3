package org.bpfsdt.core.helpers;

import static org.bpfsdt.api.spi.ContextLayouts.SKB_DATA;
import static org.bpfsdt.api.spi.ContextLayouts.SKB_LEN;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.core.exec.NativeMemory;
import org.bpfsdt.core.interp.HelperTable;

/**
 * Socket buffer helpers on the native {@code __sk_buff} (see {@link org.bpfsdt.api.spi.ContextLayouts}):
 * offsets count from {@code data} (the network header for socket filters, the Ethernet header
 * for TC programs), as {@code skb->data} does in the kernel.
 */
final class SkbHelpers {
    private SkbHelpers() {
    }

    static void register(HelperTable t) {
        t.register(StandardHelpers.proto(HelperId.SKB_LOAD_BYTES), (st, skb, offset, to, len, a5) -> loadBytes(skb, offset, to, len));
        t.register(StandardHelpers.proto(HelperId.SKB_STORE_BYTES), (st, skb, offset, from, len, flags) -> storeBytes(skb, offset, from, len, flags));
        t.register(StandardHelpers.proto(HelperId.SKB_PULL_DATA), (st, skb, len, a3, a4, a5) -> pullData(skb, len));
    }

    /** {@code BPF_F_RECOMPUTE_CSUM}, {@code BPF_F_INVALIDATE_HASH}. */
    static final long RECOMPUTE_CSUM = 1, INVALIDATE_HASH = 2;

    /**
     * {@code bpf_skb_store_bytes}: 0, {@code -EINVAL} for unknown flags, {@code -EFAULT} when the
     * bytes are not all in the packet. Test-run buffers carry no checksum state, so
     * {@code BPF_F_RECOMPUTE_CSUM} has nothing to update; {@code BPF_F_INVALIDATE_HASH} clears the hash.
     */
    static long storeBytes(long skb, long offset, long from, long len, long flags) {
        if ((flags & ~(RECOMPUTE_CSUM | INVALIDATE_HASH)) != 0) {
            return -Errno.EINVAL.code();
        }
        long off = offset & 0xffffffffL;
        long n = len & 0xffffffffL;
        if (off > Integer.MAX_VALUE || off + n > NativeMemory.u32(skb + SKB_LEN)) {
            return -Errno.EFAULT.code();
        }
        NativeMemory.copy(NativeMemory.u64(skb + SKB_DATA) + off, from, n);
        if ((flags & INVALIDATE_HASH) != 0) {
            NativeMemory.put32(skb + org.bpfsdt.api.spi.ContextLayouts.SKB_HASH, 0);
        }
        return 0;
    }

    /** {@code bpf_skb_pull_data}: the packet is linear already; {@code -ENOMEM} when it has fewer than {@code len} bytes. */
    static long pullData(long skb, long len) {
        long n = len & 0xffffffffL;
        return n > NativeMemory.u32(skb + SKB_LEN) ? -Errno.ENOMEM.code() : 0;
    }

    /** {@code bpf_skb_load_bytes}: 0, or {@code -EFAULT} with the destination zeroed when the bytes are not all in the packet. */
    static long loadBytes(long skb, long offset, long to, long len) {
        long off = offset & 0xffffffffL;
        long n = len & 0xffffffffL;
        if (off > Integer.MAX_VALUE || off + n > NativeMemory.u32(skb + SKB_LEN)) {
            NativeMemory.zero(to, n);
            return -Errno.EFAULT.code();
        }
        NativeMemory.copy(to, NativeMemory.u64(skb + SKB_DATA) + off, n);
        return 0;
    }
}
