// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tail_call: a PROG_ARRAY initialised in the object (__array(values, ...)),
 * as libbpf fills it after load: slot 0 -> tail_pass, slot 2 -> tail_drop.
 * tail_entry jumps to slot (packet length / 32) - 2 (64 bytes: slot 0);
 * when the slot is empty the call falls through and it returns 77.
 * Input pkt_tcp4.bin (64 bytes): retval 2 (XDP_PASS, from tail_pass);
 * a 128-byte packet: retval 1 (XDP_DROP, from tail_drop); 96 bytes: 77 (slot 1 empty).
 */
#include "common.h"

SEC("xdp")
int tail_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int tail_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jump_table SEC(".maps") = {
	.values = {
		[0] = (void *)&tail_pass,
		[2] = (void *)&tail_drop,
	},
};

SEC("xdp")
int tail_entry(struct xdp_md *ctx)
{
	__u32 slot = (ctx->data_end - ctx->data) / 32 - 2;

	bpf_tail_call(ctx, &jump_table, slot);
	return 77;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
