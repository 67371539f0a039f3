package org.bpfsdt.core.context;

import static org.bpfsdt.api.spi.ContextLayouts.*;
import static org.bpfsdt.core.context.ContextInput.ETH_HLEN;
import static org.bpfsdt.core.context.ContextInput.LOOPBACK_IFINDEX;
import static org.bpfsdt.core.context.ContextInput.PAGE_SIZE;
import static org.bpfsdt.core.context.ContextInput.TAILROOM;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.core.exec.NativeMemory;

/**
 * XDP test-run contexts as the kernel's {@code bpf_prog_test_run_xdp} builds them: the packet in
 * a 4096-byte frame after {@value #HEADROOM} bytes of headroom ({@code XDP_PACKET_HEADROOM}) and
 * before {@value ContextInput#TAILROOM} bytes of tailroom, so {@code bpf_xdp_adjust_head/tail}
 * have the kernel's room. {@code ctx_in} ({@code struct xdp_md}) may put metadata in front of the
 * packet ({@code data} = its length, {@code data_end} = the whole input's length,
 * {@code data_meta} = 0) and name the receiving device and queue; without it the packet comes
 * from the loopback device's queue 0. The packet out runs from the metadata to the end; the
 * context out gives the new {@code data} and {@code data_end} relative to the metadata.
 */
public final class XdpContexts implements ContextBuilder {
    /** {@code XDP_PACKET_HEADROOM}. */
    public static final int HEADROOM = 256;
    /** The largest packet without fragments (which this runtime does not model). */
    public static final int MAX_LINEAR = PAGE_SIZE - HEADROOM - TAILROOM;
    private static final int MD_SIZE = 24;
    /** The largest metadata the kernel allows ({@code xdp_metalen_invalid}). */
    private static final int META_MAX = 255;

    @Override
    public Set<ProgramType> types() {
        return Set.of(ProgramType.XDP);
    }

    @Override
    public TestContext prepare(ProgramType type, TestRunSpec spec, Arena arena) {
        if ((spec.flags() & ~TestRunSpec.F_XDP_LIVE_FRAMES) != 0) {
            throw new BpfException(Errno.EINVAL, "XDP test runs take no flags but BPF_F_TEST_XDP_LIVE_FRAMES (flags 0x"
                    + Integer.toHexString(spec.flags()) + ")");
        }
        if ((spec.flags() & TestRunSpec.F_XDP_LIVE_FRAMES) != 0) {
            throw new BpfException(Errno.EOPNOTSUPP, "live-frame XDP test runs (BPF_F_TEST_XDP_LIVE_FRAMES) need network devices, which this runtime has not");
        }
        byte[] data = spec.dataIn() == null ? new byte[0] : spec.dataIn();
        byte[] md = ContextInput.read(spec.ctxIn(), MD_SIZE, "xdp_md");
        int metaLen = 0;
        int ingress = LOOPBACK_IFINDEX;
        int queue = 0;
        if (md != null) {
            metaLen = checkLayout(md, data.length);
        }
        int headroom = HEADROOM - metaLen;
        int maxData = PAGE_SIZE - headroom - TAILROOM;
        if (data.length - metaLen < ETH_HLEN) {
            throw new BpfException(Errno.EINVAL, "an XDP test run needs at least an Ethernet header (" + ETH_HLEN + " bytes) of packet in data_in; "
                    + (data.length - metaLen) + " given");
        }
        if (md != null && ContextInput.u32(md, 4) < data.length) {
            throw new BpfException(Errno.EOPNOTSUPP, "ctx_in.data_end (" + ContextInput.u32(md, 4) + ") puts the rest of data_in ("
                    + data.length + " bytes) in fragments; this runtime does not model multi-buffer XDP packets");
        }
        if (data.length > maxData) {
            throw new BpfException(Errno.EOPNOTSUPP, "data_in of " + data.length + " bytes needs a multi-buffer XDP packet (the linear part holds "
                    + maxData + "); this runtime does not model fragments");
        }
        if (md != null) {
            checkDevice(md);
            if (ContextInput.u32(md, 12) != 0) {
                ingress = ContextInput.u32(md, 12);
                queue = ContextInput.u32(md, 16);
            }
        }
        MemorySegment frame = arena.allocate(PAGE_SIZE, 64);
        MemorySegment.copy(data, 0, frame, ValueLayout.JAVA_BYTE, headroom, data.length);
        long start = frame.address();
        long ctx = arena.allocate(XDP_NATIVE_SIZE, 8).address();
        NativeMemory.put64(ctx + XDP_DATA_META, start + headroom);
        NativeMemory.put64(ctx + XDP_DATA, start + headroom + metaLen);
        NativeMemory.put64(ctx + XDP_DATA_END, start + headroom + data.length);
        NativeMemory.put64(ctx + XDP_DATA_HARD_START, start);
        NativeMemory.put32(ctx + XDP_INGRESS_IFINDEX, ingress);
        NativeMemory.put32(ctx + XDP_RX_QUEUE_INDEX, queue);
        NativeMemory.put32(ctx + XDP_FRAME_SZ, PAGE_SIZE);
        NativeMemory.put64(ctx + XDP_DATA_HARD_END, start + PAGE_SIZE - TAILROOM);
        return new TestContext() {
            @Override
            public long address() {
                return ctx;
            }

            @Override
            public byte[] dataOut() {
                long meta = NativeMemory.u64(ctx + XDP_DATA_META);
                long end = NativeMemory.u64(ctx + XDP_DATA_END);
                return frame.asSlice(meta - start, end - meta).toArray(ValueLayout.JAVA_BYTE);
            }

            @Override
            public byte[] ctxOut() {
                if (md == null) {
                    return new byte[0];
                }
                byte[] out = md.clone();
                long meta = NativeMemory.u64(ctx + XDP_DATA_META);
                ContextInput.put32(out, 0, NativeMemory.u64(ctx + XDP_DATA) - meta);
                ContextInput.put32(out, 4, NativeMemory.u64(ctx + XDP_DATA_END) - meta);
                return out;
            }
        };
    }

    /** Checks the packet layout {@code struct xdp_md} gives as {@code ctx_in} (the kernel's rules); returns the metadata length. */
    private static int checkLayout(byte[] md, int size) {
        int data = ContextInput.u32(md, 0);
        int dataEnd = ContextInput.u32(md, 4);
        int dataMeta = ContextInput.u32(md, 8);
        if (dataMeta != 0) {
            throw new BpfException(Errno.EINVAL, "ctx_in.data_meta must be 0: metadata starts data_in, and ctx_in.data gives its length");
        }
        if (Integer.toUnsignedLong(dataEnd) > size) {
            throw new BpfException(Errno.EINVAL, "ctx_in.data_end (" + Integer.toUnsignedString(dataEnd) + ") is past the end of data_in (" + size + " bytes)");
        }
        if (Integer.compareUnsigned(data, dataEnd) > 0) {
            throw new BpfException(Errno.EINVAL, "ctx_in.data (" + Integer.toUnsignedString(data) + ") is past ctx_in.data_end (" + dataEnd + ")");
        }
        if ((data & 3) != 0 || data > META_MAX) {
            throw new BpfException(Errno.EINVAL, "ctx_in.data gives " + data + " bytes of metadata: it must be a multiple of 4 and at most " + META_MAX);
        }
        return data;
    }

    /** Checks the devices {@code ctx_in} names, after the packet is built, as the kernel's {@code xdp_convert_md_to_buff}. */
    private static void checkDevice(byte[] md) {
        int ingress = ContextInput.u32(md, 12);
        int queue = ContextInput.u32(md, 16);
        if (ContextInput.u32(md, 20) != 0) {
            throw new BpfException(Errno.EINVAL, "ctx_in.egress_ifindex must be 0 in a test run");
        }
        if (ingress == 0 && queue != 0) {
            throw new BpfException(Errno.EINVAL, "ctx_in.rx_queue_index (" + queue + ") needs ctx_in.ingress_ifindex");
        }
        if (ingress != 0 && ingress != LOOPBACK_IFINDEX) {
            throw new BpfException(Errno.ENODEV, "no network device with ifindex " + Integer.toUnsignedString(ingress)
                    + " (a test run here has the loopback device, ifindex " + LOOPBACK_IFINDEX + ")");
        }
        if (ingress != 0 && queue != 0) {
            throw new BpfException(Errno.EINVAL, "the loopback device has one receive queue; ctx_in.rx_queue_index " + Integer.toUnsignedString(queue)
                    + " does not exist");
        }
    }
}
