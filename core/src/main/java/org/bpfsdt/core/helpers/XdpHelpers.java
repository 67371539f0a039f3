package org.bpfsdt.core.helpers;

import static org.bpfsdt.api.spi.ContextLayouts.XDP_DATA;
import static org.bpfsdt.api.spi.ContextLayouts.XDP_DATA_END;
import static org.bpfsdt.api.spi.ContextLayouts.XDP_DATA_HARD_END;
import static org.bpfsdt.api.spi.ContextLayouts.XDP_DATA_HARD_START;
import static org.bpfsdt.api.spi.ContextLayouts.XDP_DATA_META;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.core.exec.NativeMemory;
import org.bpfsdt.core.interp.HelperTable;

/**
 * The XDP helpers on the native {@code xdp_buff} (see {@link org.bpfsdt.api.spi.ContextLayouts}),
 * with the kernel's limits: the head may not move into the {@code struct xdp_frame} the kernel
 * keeps at the start of the headroom ({@value #XDP_FRAME_SIZE} bytes) nor leave less than an
 * Ethernet header; the tail may not grow into the reserved tailroom ({@code data_hard_end}) nor
 * shrink below an Ethernet header; metadata is 4-byte aligned and at most {@value #META_MAX}
 * bytes. Buffers are linear here (no fragments), as a test run's packet is.
 */
final class XdpHelpers {
    /** {@code sizeof(struct xdp_frame)} on 64-bit kernels. */
    static final int XDP_FRAME_SIZE = 40;
    static final int ETH_HLEN = 14;
    /** Largest metadata ({@code type_max(skb_shared_info.meta_len)}). */
    static final int META_MAX = 255;

    private static final long EINVAL = -Errno.EINVAL.code();

    private XdpHelpers() {
    }

    static void register(HelperTable t) {
        t.register(StandardHelpers.proto(HelperId.XDP_ADJUST_HEAD), (st, xdp, offset, a3, a4, a5) -> adjustHead(xdp, (int) offset));
        t.register(StandardHelpers.proto(HelperId.XDP_ADJUST_TAIL), (st, xdp, offset, a3, a4, a5) -> adjustTail(xdp, (int) offset));
        t.register(StandardHelpers.proto(HelperId.XDP_ADJUST_META), (st, xdp, offset, a3, a4, a5) -> adjustMeta(xdp, (int) offset));
        t.register(StandardHelpers.proto(HelperId.XDP_GET_BUFF_LEN), (st, xdp, a2, a3, a4, a5) -> length(xdp));
        t.register(StandardHelpers.proto(HelperId.XDP_LOAD_BYTES), (st, xdp, offset, buf, len, a5) -> copy(xdp, offset, buf, len, false));
        t.register(StandardHelpers.proto(HelperId.XDP_STORE_BYTES), (st, xdp, offset, buf, len, a5) -> copy(xdp, offset, buf, len, true));
    }

    static long length(long xdp) {
        return NativeMemory.u64(xdp + XDP_DATA_END) - NativeMemory.u64(xdp + XDP_DATA);
    }

    static long adjustHead(long xdp, int offset) {
        long data = NativeMemory.u64(xdp + XDP_DATA);
        long meta = NativeMemory.u64(xdp + XDP_DATA_META);
        long metaLen = data - meta;
        long frameEnd = NativeMemory.u64(xdp + XDP_DATA_HARD_START) + XDP_FRAME_SIZE;
        long newData = data + offset;
        if (newData < frameEnd + metaLen || newData > NativeMemory.u64(xdp + XDP_DATA_END) - ETH_HLEN) {
            return EINVAL;
        }
        if (metaLen > 0) {
            NativeMemory.copy(meta + offset, meta, metaLen);
        }
        NativeMemory.put64(xdp + XDP_DATA_META, meta + offset);
        NativeMemory.put64(xdp + XDP_DATA, newData);
        return 0;
    }

    static long adjustTail(long xdp, int offset) {
        long end = NativeMemory.u64(xdp + XDP_DATA_END);
        long newEnd = end + offset;
        if (newEnd > NativeMemory.u64(xdp + XDP_DATA_HARD_END) || newEnd < NativeMemory.u64(xdp + XDP_DATA) + ETH_HLEN) {
            return EINVAL;
        }
        if (newEnd > end) {
            // growing exposes bytes the program has not written: they read as zeros
            NativeMemory.zero(end, newEnd - end);
        }
        NativeMemory.put64(xdp + XDP_DATA_END, newEnd);
        return 0;
    }

    static long adjustMeta(long xdp, int offset) {
        long newMeta = NativeMemory.u64(xdp + XDP_DATA_META) + offset;
        long data = NativeMemory.u64(xdp + XDP_DATA);
        if (newMeta < NativeMemory.u64(xdp + XDP_DATA_HARD_START) + XDP_FRAME_SIZE || newMeta > data) {
            return EINVAL;
        }
        long metaLen = data - newMeta;
        if ((metaLen & 3) != 0 || metaLen > META_MAX) {
            return -Errno.EACCES.code();
        }
        NativeMemory.put64(xdp + XDP_DATA_META, newMeta);
        return 0;
    }

    /** {@code bpf_xdp_load_bytes} / {@code bpf_xdp_store_bytes}: {@code len} bytes at {@code offset} of the packet. */
    static long copy(long xdp, long offset, long buf, long len, boolean store) {
        long off = offset & 0xffffffffL;
        long n = len & 0xffffffffL;
        if (off > 0xffff || n > 0xffff) {
            return -Errno.EFAULT.code();
        }
        if (off + n > length(xdp)) {
            return EINVAL;
        }
        long at = NativeMemory.u64(xdp + XDP_DATA) + off;
        if (store) {
            NativeMemory.copy(at, buf, n);
        } else {
            NativeMemory.copy(buf, at, n);
        }
        return 0;
    }
}
