// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * multi_prog: three XDP programs in one section sharing one map and one
 * subprogram; a fourth in xdp.frags (BPF_F_XDP_HAS_FRAGS) and one whose
 * section names no program type (it must be given one before load).
 * count_pass: counts[0] += 1, returns XDP_PASS (2)
 * count_drop: counts[1] += 1, returns XDP_DROP (1)
 * count_len:  counts[2] += len, returns len
 * frags_len:  returns bpf_xdp_get_buff_len (64)
 * Input pkt_tcp4.bin, one run of each: 2, 1, 64, 64; counts = {1, 1, 64}.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __noinline int bump(__u32 slot, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &slot);

	if (v)
		__sync_fetch_and_add(v, by);
	return 0;
}

SEC("xdp")
int count_pass(struct xdp_md *ctx)
{
	bump(0, 1);
	return XDP_PASS;
}

SEC("xdp")
int count_drop(struct xdp_md *ctx)
{
	bump(1, 1);
	return XDP_DROP;
}

SEC("xdp")
int count_len(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;

	bump(2, len);
	return len;
}

SEC("xdp.frags")
int frags_len(struct xdp_md *ctx)
{
	return bpf_xdp_get_buff_len(ctx);
}

SEC("custom_section")
int untyped(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
