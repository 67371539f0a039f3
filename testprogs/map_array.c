// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * map_array: ARRAY and PERCPU_ARRAY lookups and updates.
 * Each run adds the packet length to counters[1] (ARRAY) and 1 to hits[0]
 * (PERCPU_ARRAY, on the running CPU), then writes 7 to counters[2] with
 * bpf_map_update_elem. Returns counters[1] after the add (low 32 bits).
 * Input pkt_tcp4.bin (64 bytes), one run: retval 64; counters = {0, 64, 7, 0};
 * hits[0] summed over CPUs = 1. An out-of-range lookup (key 4) returns NULL.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("xdp")
int array_ops(struct xdp_md *ctx)
{
	__u32 key = 1, seven_key = 2, bad = 4, zero = 0;
	__u64 seven = 7, *v, *h;
	__u64 len = ctx->data_end - ctx->data;

	if (bpf_map_lookup_elem(&counters, &bad))
		return XDP_ABORTED;
	v = bpf_map_lookup_elem(&counters, &key);
	if (!v)
		return XDP_ABORTED;
	__sync_fetch_and_add(v, len);
	h = bpf_map_lookup_elem(&hits, &zero);
	if (h)
		*h += 1;
	bpf_map_update_elem(&counters, &seven_key, &seven, BPF_ANY);
	return *v;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
