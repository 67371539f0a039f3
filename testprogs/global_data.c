// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * global_data: .data, .rodata, .bss, a custom .data.counters and
 * .rodata.tables section, a static variable and a string constant, each a
 * single-entry ARRAY map read and written by the program and by Java.
 * `multiplier` (.rodata, default 3) may be set before load; `bias` (.data,
 * default 5) may be set any time; runs (.bss) counts runs; last_len (.bss)
 * keeps the packet length; per_cpu_like[2] (.data.counters) gets += 1 per run;
 * table (.rodata.tables) = {10, 20, 30, 40}.
 * Returns len * multiplier + bias + table[runs % 4] (runs before the increment).
 * Input pkt_tcp4.bin (64 bytes), defaults, first run: retval 64*3 + 5 + 10 = 207;
 * then runs = 1, last_len = 64, per_cpu_like = {0, 0, 1, 0}. With multiplier
 * set to 10 before load: 655.
 */
#include "common.h"

const volatile __u32 multiplier = 3;
__u32 bias = 5;
__u64 runs;
__u32 last_len;
__u32 per_cpu_like[4] SEC(".data.counters") = {};
const __u32 table[4] SEC(".rodata.tables") = {10, 20, 30, 40};
static __u32 hidden_total;
const char greeting[] = "hello";

SEC("xdp")
int global_data(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 ret = len * multiplier + bias + table[runs & 3];

	runs++;
	last_len = len;
	per_cpu_like[2] += 1;
	hidden_total += len + greeting[0] - 'h';
	return ret;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
