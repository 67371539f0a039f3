// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * map_value_unchecked: reads a hash map value without checking the lookup for NULL.
 * Refused by the verifier (and by the kernel) with "R0 invalid mem access 'map_value_or_null'".
 */
#include "../common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("xdp")
int count_unchecked(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&seen, &key);

	return *v;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
