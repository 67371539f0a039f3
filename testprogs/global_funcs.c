// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * global_funcs: global (non-static) functions, which Linux verifies once, on
 * their own, from their BTF signature (scalars, the context, pointers to
 * sized memory that may be NULL); a call only checks the arguments and
 * returns an unknown scalar.
 * - many_calls calls mix() for 64 values in a loop; mix() is a 2000-step loop.
 *   Verified at each call, as a static function is, that is over the
 *   1,000,000-instruction budget; verified once it is a few thousand.
 * - ctx_arg hands the context to packet_byte(), which checks the packet
 *   bounds itself (the caller's checks do not reach a global function).
 * - out_param passes an initialised stack struct that fill() writes, and NULL,
 *   which fill() checks for.
 * Input pkt_tcp4.bin (64 bytes): many_calls 224, ctx_arg 23, out_param 64.
 */
#include "common.h"

struct pair {
	__u32 lo;
	__u32 hi;
};

__noinline __u32 mix(__u32 x)
{
	__u32 acc = x;

	for (int j = 0; j < 2000; j++)
		acc = acc * 31 + (j ^ x);
	return acc;
}

__noinline int packet_byte(struct xdp_md *ctx, __u32 off)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (off > 63 || data + off + 1 > end)
		return -1;
	return *(__u8 *)(data + off);
}

__noinline int fill(struct pair *p, __u32 v)
{
	if (!p)
		return 0;
	p->lo = v;
	p->hi = v >> 1;
	return 1;
}

SEC("xdp")
int many_calls(struct xdp_md *ctx)
{
	__u32 vals[64];
	__u32 sum = 0;
	__u32 len = ctx->data_end - ctx->data;

	for (int i = 0; i < 64; i++) {
		vals[i] = len + i;
		sum += mix(vals[i]);
	}
	return sum & 0xff;
}

SEC("xdp")
int ctx_arg(struct xdp_md *ctx)
{
	return packet_byte(ctx, 37);
}

SEC("xdp")
int out_param(struct xdp_md *ctx)
{
	struct pair p = {};
	__u32 len = ctx->data_end - ctx->data;

	if (!fill(&p, len) || fill(0, len))
		return 0;
	return p.lo + p.hi - len / 2;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
