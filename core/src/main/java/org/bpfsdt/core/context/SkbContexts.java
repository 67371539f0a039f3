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
 * Socket-buffer test-run contexts (TC classifiers and actions, socket filters) as the kernel's
 * {@code bpf_prog_test_run_skb} builds them: the frame arrives on the loopback device, whose
 * {@code eth_type_trans} sets {@code protocol} from the Ethernet header and {@code pkt_type} from
 * the destination address, and pulls the Ethernet header; TC programs see it pushed back
 * ({@code data} at the Ethernet header, {@code len} the whole frame), socket filters see the
 * packet from the network header. {@code ctx_in} ({@code struct __sk_buff}) may set only
 * {@code mark}, {@code priority}, {@code ingress_ifindex}, {@code ifindex}, {@code cb},
 * {@code tstamp}, {@code wire_len}, {@code gso_segs}, {@code gso_size} and {@code hwtstamp};
 * the context out reports the fields the kernel reports. A socket filter's packet out gets its
 * Ethernet header back as zeros, as in the kernel.
 */
public final class SkbContexts implements ContextBuilder {
    /** {@code NET_SKB_PAD + NET_IP_ALIGN} on x86_64. */
    static final int HEADROOM = 64;
    /** The largest frame a test run takes. */
    public static final int MAX_FRAME = PAGE_SIZE - HEADROOM - TAILROOM;
    private static final int GSO_LEGACY_MAX_SIZE = 65536;
    private static final int GSO_MAX_SEGS = 65535;
    private static final int PACKET_HOST = 0, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3;
    private static final int ETH_P_802_3 = 0x0001, ETH_P_802_2 = 0x0004, ETH_P_802_3_MIN = 0x0600;

    /** The {@code __sk_buff} fields a test run may set, as {@code [offset, end)} pairs; every other byte of {@code ctx_in} must be zero. */
    private static final int[][] SETTABLE = {
        {SKB_MARK, SKB_MARK + 4}, {SKB_PRIORITY, SKB_IFINDEX + 4}, {SKB_CB, SKB_CB + 20},
        {SKB_TSTAMP, SKB_GSO_SEGS + 4}, {SKB_GSO_SIZE, SKB_GSO_SIZE + 4}, {SKB_HWTSTAMP, SKB_HWTSTAMP + 8},
    };

    @Override
    public Set<ProgramType> types() {
        return Set.of(ProgramType.SCHED_CLS, ProgramType.SCHED_ACT, ProgramType.SOCKET_FILTER);
    }

    @Override
    public TestContext prepare(ProgramType type, TestRunSpec spec, Arena arena) {
        if ((spec.flags() & ~TestRunSpec.F_SKB_CHECKSUM_COMPLETE) != 0) {
            throw new BpfException(Errno.EINVAL, type + " test runs take no flags but BPF_F_TEST_SKB_CHECKSUM_COMPLETE (flags 0x"
                    + Integer.toHexString(spec.flags()) + ")");
        }
        if ((spec.flags() & TestRunSpec.F_SKB_CHECKSUM_COMPLETE) != 0) {
            throw new BpfException(Errno.EOPNOTSUPP, "BPF_F_TEST_SKB_CHECKSUM_COMPLETE: socket buffers here carry no checksum state");
        }
        byte[] frameIn = spec.dataIn() == null ? new byte[0] : spec.dataIn();
        if (frameIn.length < ETH_HLEN || frameIn.length > MAX_FRAME) {
            throw new BpfException(Errno.EINVAL, "a " + type + " test run takes an Ethernet frame of " + ETH_HLEN + " to " + MAX_FRAME
                    + " bytes as data_in; " + frameIn.length + " given");
        }
        byte[] user = ContextInput.read(spec.ctxIn(), SKB_SIZE, "__sk_buff");
        if (user != null && Integer.toUnsignedLong(ContextInput.u32(user, SKB_IFINDEX)) > LOOPBACK_IFINDEX) {
            throw new BpfException(Errno.ENODEV, "no network device with ifindex " + Integer.toUnsignedString(ContextInput.u32(user, SKB_IFINDEX))
                    + " (a test run here has the loopback device, ifindex " + LOOPBACK_IFINDEX + ")");
        }
        boolean l2 = type != ProgramType.SOCKET_FILTER;
        MemorySegment buffer = arena.allocate(PAGE_SIZE, 64);
        MemorySegment.copy(frameIn, 0, buffer, ValueLayout.JAVA_BYTE, HEADROOM, frameIn.length);
        long frame = buffer.address() + HEADROOM;
        long data = l2 ? frame : frame + ETH_HLEN;
        int len = l2 ? frameIn.length : frameIn.length - ETH_HLEN;

        long skb = arena.allocate(SKB_NATIVE_SIZE, 8).address();
        NativeMemory.put32(skb + SKB_LEN, len);
        NativeMemory.put32(skb + SKB_PKT_TYPE, packetType(frameIn));
        NativeMemory.put16(skb + SKB_PROTOCOL, protocol(frameIn));
        NativeMemory.put32(skb + SKB_IFINDEX, LOOPBACK_IFINDEX);
        NativeMemory.put64(skb + SKB_DATA, data);
        NativeMemory.put64(skb + SKB_DATA_END, data + len);
        NativeMemory.put64(skb + SKB_DATA_META, data);
        NativeMemory.put64(skb + SKB_DATA_HARD_START, buffer.address());
        NativeMemory.put64(skb + SKB_DATA_HARD_END, buffer.address() + PAGE_SIZE - TAILROOM);
        if (user != null) {
            apply(user, skb, len);
        }
        return new TestContext() {
            @Override
            public long address() {
                return skb;
            }

            @Override
            public byte[] dataOut() {
                long d = NativeMemory.u64(skb + SKB_DATA);
                int n = (int) NativeMemory.u32(skb + SKB_LEN);
                byte[] out = new byte[l2 ? n : n + ETH_HLEN];
                MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, d - buffer.address(), out, l2 ? 0 : ETH_HLEN, n);
                return out;
            }

            @Override
            public byte[] ctxOut() {
                if (user == null) {
                    return new byte[0];
                }
                byte[] out = user.clone();
                for (int off : new int[] {SKB_MARK, SKB_PRIORITY, SKB_INGRESS_IFINDEX, SKB_IFINDEX, SKB_WIRE_LEN, SKB_GSO_SEGS}) {
                    ContextInput.put32(out, off, NativeMemory.u32(skb + off));
                }
                for (int i = 0; i < 5; i++) {
                    ContextInput.put32(out, SKB_CB + 4 * i, NativeMemory.u32(skb + SKB_CB + 4 * i));
                }
                MemorySegment.copy(MemorySegment.ofAddress(skb + SKB_TSTAMP).reinterpret(8), ValueLayout.JAVA_BYTE, 0, out, SKB_TSTAMP, 8);
                MemorySegment.copy(MemorySegment.ofAddress(skb + SKB_HWTSTAMP).reinterpret(8), ValueLayout.JAVA_BYTE, 0, out, SKB_HWTSTAMP, 8);
                return out;
            }
        };
    }

    /** The kernel's {@code convert___skb_to_skb}: checks what {@code ctx_in} sets and copies it into the native buffer. */
    private static void apply(byte[] user, long skb, int len) {
        int from = 0;
        for (int[] field : SETTABLE) {
            if (!ContextInput.zero(user, from, field[0])) {
                throw new BpfException(Errno.EINVAL, "ctx_in sets __sk_buff bytes " + from + ".." + (field[0] - 1)
                        + "; a test run may set only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp");
            }
            from = field[1];
        }
        if (!ContextInput.zero(user, from, SKB_SIZE)) {
            throw new BpfException(Errno.EINVAL, "ctx_in sets __sk_buff bytes past hwtstamp");
        }
        long wireLen = Integer.toUnsignedLong(ContextInput.u32(user, SKB_WIRE_LEN));
        if (wireLen != 0 && (wireLen < len || wireLen > GSO_LEGACY_MAX_SIZE)) {
            throw new BpfException(Errno.EINVAL, "ctx_in.wire_len " + wireLen + " must be 0 or between the packet's length ("
                    + len + ") and " + GSO_LEGACY_MAX_SIZE);
        }
        long segs = Integer.toUnsignedLong(ContextInput.u32(user, SKB_GSO_SEGS));
        if (segs > GSO_MAX_SEGS) {
            throw new BpfException(Errno.EINVAL, "ctx_in.gso_segs " + segs + " is above " + GSO_MAX_SEGS);
        }
        for (int[] field : SETTABLE) {
            for (int off = field[0]; off < field[1]; off++) {
                NativeMemory.put8(skb + off, user[off]);
            }
        }
        // the device stays the loopback device; an ifindex of 0 or 1 names it
        NativeMemory.put32(skb + SKB_IFINDEX, LOOPBACK_IFINDEX);
        NativeMemory.put32(skb + SKB_WIRE_LEN, wireLen == 0 ? len : wireLen);
    }

    /** {@code eth_type_trans}'s protocol, in network byte order as {@code skb->protocol} holds it. */
    private static int protocol(byte[] frame) {
        int proto = (frame[12] & 0xff) << 8 | (frame[13] & 0xff);
        if (proto < ETH_P_802_3_MIN) {
            boolean raw = frame.length >= ETH_HLEN + 2 && (frame[14] & 0xff) == 0xff && (frame[15] & 0xff) == 0xff;
            proto = raw ? ETH_P_802_3 : ETH_P_802_2;
        }
        return Short.reverseBytes((short) proto) & 0xffff;
    }

    /** {@code eth_type_trans}'s packet type for the loopback device, whose address (and broadcast address) is all zeros. */
    private static int packetType(byte[] frame) {
        boolean zero = true;
        for (int i = 0; i < 6; i++) {
            zero &= frame[i] == 0;
        }
        if (zero) {
            return PACKET_HOST;
        }
        return (frame[0] & 1) != 0 ? PACKET_MULTICAST : PACKET_OTHERHOST;
    }
}
