// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * core_ctx: CO-RE relocations against the runtime's own types. The program
 * declares its own "flavour" of struct __sk_buff (only the fields it uses,
 * in another order) with preserve_access_index, so every field offset must be
 * relocated to the runtime's layout; it also asks for field existence and size,
 * type existence and size, and an enum value.
 * Returns len + mark * 1000 (read through relocated offsets)
 *   + 100000 if field `hwtstamp` exists, + 200000 if `no_such_field` does not,
 *   + 1000000 * sizeof(runtime struct xdp_md) / 24 (exists with size 24),
 *   + 10000000 * bpf_core_field_size(cb) / 20.
 * Input pkt_tcp4.bin (64 bytes) with ctx mark = 7: retval 11307064.
 */
#include "common.h"
#include <bpf/bpf_core_read.h>

struct __sk_buff___local {
	__u32 mark;
	__u32 cb[5];
	__u32 len;
	__u64 hwtstamp;
	__u32 no_such_field;
} __attribute__((preserve_access_index));

struct xdp_md___local {
	__u32 data;
} __attribute__((preserve_access_index));

SEC("tc")
int core_ctx(struct __sk_buff *ctx)
{
	struct __sk_buff___local *skb = (void *)ctx;
	long ret = skb->len + skb->mark * 1000;

	if (bpf_core_field_exists(skb->hwtstamp))
		ret += 100000;
	if (!bpf_core_field_exists(skb->no_such_field))
		ret += 200000;
	if (bpf_core_type_exists(struct xdp_md___local))
		ret += 1000000 * (bpf_core_type_size(struct xdp_md___local) / 24);
	ret += 10000000 * (bpf_core_field_size(skb->cb) / 20);
	return ret;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
