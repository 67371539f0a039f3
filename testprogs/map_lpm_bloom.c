// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * map_lpm_bloom: LPM_TRIE longest-prefix lookup and BLOOM_FILTER push/peek.
 * Java fills routes before the run: 10.0.0.0/8 -> 1, 10.0.0.0/24 -> 2
 * (key = {u32 prefixlen; u8 addr[4]}). The program looks up the packet's IPv4
 * destination (10.0.0.2) and returns the route's value * 10, plus 1 when the
 * bloom filter (map_extra = 3 hash functions), after a push of 42, says 42 may be
 * present and 0 when it says 43 is absent (a false positive is possible but not
 * with these values and a 64-entry filter... kernel and here agree on "maybe").
 * Input pkt_tcp4.bin with the two routes: retval 21 (no routes: 1).
 */
#include "common.h"

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__uint(map_extra, 3);
	__type(value, __u32);
} seen SEC(".maps");

SEC("xdp")
int lpm_bloom(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct lpm_key key = { .prefixlen = 32 };
	__u32 *route, v42 = 42, ret = 0;

	if ((void *)(ip + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(key.addr, &ip->daddr, 4);
	route = bpf_map_lookup_elem(&routes, &key);
	if (route)
		ret = *route * 10;
	bpf_map_push_elem(&seen, &v42, 0);
	if (bpf_map_peek_elem(&seen, &v42) == 0)
		ret += 1;
	return ret;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
