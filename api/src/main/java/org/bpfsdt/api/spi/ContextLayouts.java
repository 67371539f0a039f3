package org.bpfsdt.api.spi;

import static org.bpfsdt.api.spi.ContextLayout.Kind.PACKET;
import static org.bpfsdt.api.spi.ContextLayout.Kind.PACKET_END;
import static org.bpfsdt.api.spi.ContextLayout.Kind.PACKET_META;
import static org.bpfsdt.api.spi.ContextLayout.Kind.SCALAR;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.ProgramType;

/**
 * The context layouts of the program types the runtime runs, and the native contexts behind
 * them: the contract between the verifier (which rewrites context accesses), the runtime (which
 * builds native contexts for runs) and helpers that take the context.
 *
 * <p>Native XDP context ({@code xdp_buff}), {@value #XDP_NATIVE_SIZE} bytes:
 * {@code u64 data @0; u64 data_end @8; u64 data_meta @16; u64 data_hard_start @24;
 * u32 ingress_ifindex @32; u32 rx_queue_index @36; u32 egress_ifindex @40; u32 frame_sz @44;
 * u64 data_hard_end @48}.
 *
 * <p>Native socket buffer: the program's {@code struct __sk_buff} ({@value #SKB_SIZE} bytes, its
 * scalar fields at their own offsets) followed by {@code u64 data @192; u64 data_end @200;
 * u64 data_meta @208; u64 data_hard_start @216; u64 data_hard_end @224}.
 *
 * <p>Tracing context: {@code u64 args[]}, the same natively.
 */
public final class ContextLayouts {
    private ContextLayouts() {
    }

    public static final int XDP_DATA = 0, XDP_DATA_END = 8, XDP_DATA_META = 16, XDP_DATA_HARD_START = 24,
            XDP_INGRESS_IFINDEX = 32, XDP_RX_QUEUE_INDEX = 36, XDP_EGRESS_IFINDEX = 40, XDP_FRAME_SZ = 44,
            XDP_DATA_HARD_END = 48, XDP_NATIVE_SIZE = 56;

    public static final int SKB_SIZE = 192;
    public static final int SKB_DATA = 192, SKB_DATA_END = 200, SKB_DATA_META = 208, SKB_DATA_HARD_START = 216,
            SKB_DATA_HARD_END = 224, SKB_NATIVE_SIZE = 232;

    /** Offsets of {@code struct __sk_buff} fields in the program's view (and natively, for scalars). */
    public static final int SKB_LEN = 0, SKB_PKT_TYPE = 4, SKB_MARK = 8, SKB_QUEUE_MAPPING = 12, SKB_PROTOCOL = 16,
            SKB_VLAN_PRESENT = 20, SKB_VLAN_TCI = 24, SKB_VLAN_PROTO = 28, SKB_PRIORITY = 32, SKB_INGRESS_IFINDEX = 36,
            SKB_IFINDEX = 40, SKB_TC_INDEX = 44, SKB_CB = 48, SKB_HASH = 68, SKB_TC_CLASSID = 72, SKB_VIEW_DATA = 76,
            SKB_VIEW_DATA_END = 80, SKB_NAPI_ID = 84, SKB_FAMILY = 88, SKB_REMOTE_IP4 = 92, SKB_LOCAL_IP4 = 96,
            SKB_REMOTE_IP6 = 100, SKB_LOCAL_IP6 = 116, SKB_REMOTE_PORT = 132, SKB_LOCAL_PORT = 136,
            SKB_VIEW_DATA_META = 140, SKB_FLOW_KEYS = 144, SKB_TSTAMP = 152, SKB_WIRE_LEN = 160, SKB_GSO_SEGS = 164,
            SKB_SK = 168, SKB_GSO_SIZE = 176, SKB_TSTAMP_TYPE = 180, SKB_HWTSTAMP = 184;

    /** The layout for {@code type}; tracing programs get {@code argCount} u64 arguments. */
    public static ContextLayout forType(ProgramType type, int argCount) {
        return switch (type) {
            case XDP -> xdp();
            case SCHED_CLS, SCHED_ACT -> skb(true);
            case SOCKET_FILTER -> skb(false);
            case TRACING, RAW_TRACEPOINT, KPROBE, TRACEPOINT -> tracing(argCount);
            default -> throw new org.bpfsdt.api.BpfException(org.bpfsdt.api.Errno.EINVAL, "program type " + type + " has no context here");
        };
    }

    public static ContextLayout xdp() {
        return new ContextLayout("xdp_md", 24, List.of(
                ptr("data", 0, PACKET, XDP_DATA),
                ptr("data_end", 4, PACKET_END, XDP_DATA_END),
                ptr("data_meta", 8, PACKET_META, XDP_DATA_META),
                u32("ingress_ifindex", 12, false, XDP_INGRESS_IFINDEX),
                u32("rx_queue_index", 16, false, XDP_RX_QUEUE_INDEX),
                u32("egress_ifindex", 20, false, XDP_EGRESS_IFINDEX)), XDP_NATIVE_SIZE);
    }

    /**
     * {@code struct __sk_buff}; {@code tc} gives a TC program's view (the kernel's
     * {@code tc_cls_act_is_valid_access}: direct packet access, writes of mark, priority,
     * queue_mapping, tc_index, tc_classid and tstamp), otherwise a socket filter's
     * ({@code sk_filter_is_valid_access}: no packet pointers, tc_classid, tstamp, wire_len or
     * hwtstamp; writes only to cb).
     */
    public static ContextLayout skb(boolean tc) {
        List<ContextLayout.Field> f = new ArrayList<>();
        f.add(u32("len", SKB_LEN, false, SKB_LEN));
        f.add(u32("pkt_type", SKB_PKT_TYPE, false, SKB_PKT_TYPE));
        f.add(u32("mark", SKB_MARK, tc, SKB_MARK));
        f.add(u32("queue_mapping", SKB_QUEUE_MAPPING, tc, SKB_QUEUE_MAPPING));
        f.add(u32("protocol", SKB_PROTOCOL, false, SKB_PROTOCOL));
        f.add(u32("vlan_present", SKB_VLAN_PRESENT, false, SKB_VLAN_PRESENT));
        f.add(u32("vlan_tci", SKB_VLAN_TCI, false, SKB_VLAN_TCI));
        f.add(u32("vlan_proto", SKB_VLAN_PROTO, false, SKB_VLAN_PROTO));
        f.add(u32("priority", SKB_PRIORITY, tc, SKB_PRIORITY));
        f.add(u32("ingress_ifindex", SKB_INGRESS_IFINDEX, false, SKB_INGRESS_IFINDEX));
        f.add(u32("ifindex", SKB_IFINDEX, false, SKB_IFINDEX));
        f.add(u32("tc_index", SKB_TC_INDEX, tc, SKB_TC_INDEX));
        for (int i = 0; i < 5; i++) {
            f.add(u32("cb[" + i + "]", SKB_CB + 4 * i, true, SKB_CB + 4 * i));
        }
        f.add(u32("hash", SKB_HASH, false, SKB_HASH));
        // socket filters see neither the classifier's fields, the packet pointers, nor the timestamps and wire length
        if (tc) {
            f.add(u32("tc_classid", SKB_TC_CLASSID, true, SKB_TC_CLASSID));
            f.add(ptr("data", SKB_VIEW_DATA, PACKET, SKB_DATA));
            f.add(ptr("data_end", SKB_VIEW_DATA_END, PACKET_END, SKB_DATA_END));
            f.add(ptr("data_meta", SKB_VIEW_DATA_META, PACKET_META, SKB_DATA_META));
        }
        f.add(u32("napi_id", SKB_NAPI_ID, false, SKB_NAPI_ID));
        if (tc) {
            f.add(new ContextLayout.Field("tstamp", SKB_TSTAMP, 8, true, true, false, SCALAR, SKB_TSTAMP, 8));
            f.add(u32("wire_len", SKB_WIRE_LEN, false, SKB_WIRE_LEN));
        }
        f.add(u32("gso_segs", SKB_GSO_SEGS, false, SKB_GSO_SEGS));
        f.add(u32("gso_size", SKB_GSO_SIZE, false, SKB_GSO_SIZE));
        if (tc) {
            f.add(new ContextLayout.Field("hwtstamp", SKB_HWTSTAMP, 8, true, false, false, SCALAR, SKB_HWTSTAMP, 8));
        }
        return new ContextLayout("__sk_buff", SKB_SIZE, f, SKB_NATIVE_SIZE);
    }

    /** A tracing program's arguments: {@code u64 args[argCount]}, read-only. */
    public static ContextLayout tracing(int argCount) {
        List<ContextLayout.Field> f = new ArrayList<>();
        for (int i = 0; i < argCount; i++) {
            f.add(new ContextLayout.Field("args[" + i + "]", 8 * i, 8, true, false, true, SCALAR, 8 * i, 8));
        }
        return new ContextLayout("u64[]", 8 * argCount, f, 8 * argCount);
    }

    private static ContextLayout.Field ptr(String name, int off, ContextLayout.Kind kind, int nativeOff) {
        return new ContextLayout.Field(name, off, 4, true, false, false, kind, nativeOff, 8);
    }

    private static ContextLayout.Field u32(String name, int off, boolean writable, int nativeOff) {
        return new ContextLayout.Field(name, off, 4, true, writable, true, SCALAR, nativeOff, 4);
    }
}
