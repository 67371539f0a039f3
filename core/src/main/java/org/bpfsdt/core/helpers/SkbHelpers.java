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
        t.register(Protos.of(HelperId.SKB_LOAD_BYTES), (st, skb, offset, to, len, a5) -> loadBytes(skb, offset, to, len));
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
