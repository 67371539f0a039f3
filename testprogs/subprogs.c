// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * subprogs: bpf-to-bpf calls, appended to each program that calls them.
 * square (static noinline), sum_of_squares (global function: verified on its
 * own by the kernel) calling square, and add_bias using a global variable.
 * prog_a returns sum_of_squares(3, 4) + add_bias(len)   (25 + 64 + 1000)
 * prog_b returns square(len / 8) (uses only square)      (64 / 8 = 8: 64)
 * Input pkt_tcp4.bin (64 bytes): prog_a retval 1089, prog_b retval 64.
 */
#include "common.h"

__u32 bias_value = 1000;

static __noinline __u32 square(__u32 x)
{
	return x * x;
}

__noinline __u32 sum_of_squares(__u32 a, __u32 b)
{
	return square(a) + square(b);
}

static __noinline __u32 add_bias(__u32 x)
{
	return x + bias_value;
}

SEC("xdp")
int prog_a(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	return sum_of_squares(3, 4) + add_bias(len);
}

SEC("xdp")
int prog_b(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	return square(len / 8);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
