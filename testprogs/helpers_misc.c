// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * helpers_misc: time, random, CPU id, trace_printk, bpf_loop (a callback
 * passed by address: an LDDW of a .text function) and bpf_spin_lock.
 * Returns a bit mask of checks that passed:
 *   1  bpf_ktime_get_ns() > 0 and does not go backwards
 *   2  bpf_ktime_get_boot_ns() > 0
 *   4  two bpf_get_prandom_u32() calls differ or are non-zero
 *   8  bpf_get_smp_processor_id() < 1024
 *   16 bpf_trace_printk("helpers_misc len=%d\n", len) returned > 0
 *   32 bpf_loop(10, add_index) summed 0..9 = 45 into its context
 *   64 the spin-locked counter in `locked` was incremented to 1
 * Input pkt_tcp4.bin, one run: retval 127, trace output "helpers_misc len=64",
 * locked[0].count = 1.
 */
#include "common.h"

struct locked_value {
	struct bpf_spin_lock lock;
	__u32 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct locked_value);
} locked SEC(".maps");

struct loop_ctx {
	__u64 sum;
};

static int add_index(__u32 index, void *data)
{
	struct loop_ctx *c = data;

	c->sum += index;
	return 0;
}

SEC("xdp")
int helpers_misc(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;
	struct loop_ctx lc = { 0 };
	struct locked_value *lv;
	__u32 zero = 0;
	int ret = 0;
	__u64 t1, t2;

	t1 = bpf_ktime_get_ns();
	t2 = bpf_ktime_get_ns();
	if (t1 > 0 && t2 >= t1)
		ret |= 1;
	if (bpf_ktime_get_boot_ns() > 0)
		ret |= 2;
	if (bpf_get_prandom_u32() != bpf_get_prandom_u32() || bpf_get_prandom_u32() != 0)
		ret |= 4;
	if (bpf_get_smp_processor_id() < 1024)
		ret |= 8;
	if (bpf_printk("helpers_misc len=%d", len) > 0)
		ret |= 16;
	bpf_loop(10, add_index, &lc, 0);
	if (lc.sum == 45)
		ret |= 32;
	lv = bpf_map_lookup_elem(&locked, &zero);
	if (lv) {
		bpf_spin_lock(&lv->lock);
		lv->count++;
		bpf_spin_unlock(&lv->lock);
		if (lv->count >= 1)
			ret |= 64;
	}
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
