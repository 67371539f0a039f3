package org.bpfsdt.api.btf;

import static org.bpfsdt.api.btf.BtfBuilder.member;
import static org.bpfsdt.api.spi.ContextLayouts.*;

import java.util.List;

import org.bpfsdt.api.spi.ContextLayout;
import org.bpfsdt.api.spi.ContextLayouts;

/**
 * The runtime's own BTF for the types programs see: {@code struct xdp_md}, {@code struct __sk_buff}
 * and the types it points to ({@code struct bpf_sock}, {@code struct bpf_flow_keys}), laid out as
 * the kernel's UAPI declares them (offsets from {@link org.bpfsdt.api.spi.ContextLayouts}). CO-RE
 * relocations of a program resolve against it, as they resolve against {@code vmlinux} BTF on Linux.
 */
public final class ContextBtf {
    private static final Btf INSTANCE = build();

    private ContextBtf() {
    }

    /** The shared, immutable instance. */
    public static Btf get() {
        return INSTANCE;
    }

    private static Btf build() {
        BtfBuilder b = new BtfBuilder();
        int u8 = b.typedef("__u8", b.integer("unsigned char", 1, false));
        int u16 = b.typedef("__u16", b.integer("unsigned short", 2, false));
        int s32 = b.typedef("__s32", b.integer("int", 4, true));
        int uint = b.integer("unsigned int", 4, false);
        int u32 = b.typedef("__u32", uint);
        int u64 = b.typedef("__u64", b.integer("unsigned long long", 8, false));
        int be16 = b.typedef("__be16", u16);
        int be32 = b.typedef("__be32", u32);
        int index = b.integer("__ARRAY_SIZE_TYPE__", 4, false);
        int u32x4 = b.array(u32, index, 4);
        int u32x5 = b.array(u32, index, 5);

        // every field of struct xdp_md is a __u32, so the verifier's layout gives the whole struct
        ContextLayout xdp = ContextLayouts.xdp();
        b.struct(xdp.name(), xdp.size(), xdp.fields().stream().map(f -> member(f.name(), u32, f.offset())).toList());

        int flowKeys = b.nextId();
        int ip4 = flowKeys + 1, ip6 = flowKeys + 2, addrs = flowKeys + 3;
        b.struct("bpf_flow_keys", 56, List.of(member("nhoff", u16, 0), member("thoff", u16, 2), member("addr_proto", u16, 4),
                member("is_frag", u8, 6), member("is_first_frag", u8, 7), member("is_encap", u8, 8), member("ip_proto", u8, 9),
                member("n_proto", be16, 10), member("sport", be16, 12), member("dport", be16, 14), member("", addrs, 16),
                member("flags", u32, 48), member("flow_label", be32, 52)));
        b.struct("", 8, List.of(member("ipv4_src", be32, 0), member("ipv4_dst", be32, 4)));
        b.struct("", 32, List.of(member("ipv6_src", u32x4, 0), member("ipv6_dst", u32x4, 16)));
        b.union("", 32, List.of(member("", ip4, 0), member("", ip6, 0)));

        int sock = b.struct("bpf_sock", 80, List.of(member("bound_dev_if", u32, 0), member("family", u32, 4), member("type", u32, 8),
                member("protocol", u32, 12), member("mark", u32, 16), member("priority", u32, 20), member("src_ip4", u32, 24),
                member("src_ip6", u32x4, 28), member("src_port", u32, 44), member("dst_port", be16, 48), member("dst_ip4", u32, 52),
                member("dst_ip6", u32x4, 56), member("state", u32, 72), member("rx_queue_mapping", s32, 76)));

        // __bpf_md_ptr(type, name): an 8-byte aligned anonymous union around the pointer
        int flowKeysPtr = b.union("", 8, List.of(member("flow_keys", b.ptr(flowKeys), 0)));
        int skPtr = b.union("", 8, List.of(member("sk", b.ptr(sock), 0)));

        List<BtfType.Member> skb = List.of(
                member("len", u32, SKB_LEN), member("pkt_type", u32, SKB_PKT_TYPE), member("mark", u32, SKB_MARK),
                member("queue_mapping", u32, SKB_QUEUE_MAPPING), member("protocol", u32, SKB_PROTOCOL),
                member("vlan_present", u32, SKB_VLAN_PRESENT), member("vlan_tci", u32, SKB_VLAN_TCI),
                member("vlan_proto", u32, SKB_VLAN_PROTO), member("priority", u32, SKB_PRIORITY),
                member("ingress_ifindex", u32, SKB_INGRESS_IFINDEX), member("ifindex", u32, SKB_IFINDEX),
                member("tc_index", u32, SKB_TC_INDEX), member("cb", u32x5, SKB_CB), member("hash", u32, SKB_HASH),
                member("tc_classid", u32, SKB_TC_CLASSID), member("data", u32, SKB_VIEW_DATA),
                member("data_end", u32, SKB_VIEW_DATA_END), member("napi_id", u32, SKB_NAPI_ID), member("family", u32, SKB_FAMILY),
                member("remote_ip4", u32, SKB_REMOTE_IP4), member("local_ip4", u32, SKB_LOCAL_IP4),
                member("remote_ip6", u32x4, SKB_REMOTE_IP6), member("local_ip6", u32x4, SKB_LOCAL_IP6),
                member("remote_port", u32, SKB_REMOTE_PORT), member("local_port", u32, SKB_LOCAL_PORT),
                member("data_meta", u32, SKB_VIEW_DATA_META), member("", flowKeysPtr, SKB_FLOW_KEYS),
                member("tstamp", u64, SKB_TSTAMP), member("wire_len", u32, SKB_WIRE_LEN), member("gso_segs", u32, SKB_GSO_SEGS),
                member("", skPtr, SKB_SK), member("gso_size", u32, SKB_GSO_SIZE), member("tstamp_type", u8, SKB_TSTAMP_TYPE),
                member("hwtstamp", u64, SKB_HWTSTAMP));
        b.struct("__sk_buff", SKB_SIZE, skb);
        return b.build();
    }
}
