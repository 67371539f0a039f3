// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_live: the target of the live patching test. Each run takes the next
 * sequence number (runs), fires BPF_SDT_PROBE1(live_seq, seq), then marks seq
 * in done_bits, and returns XDP_PASS (2). A test reads runs before attaching
 * and before detaching, and done_bits to know that every run with a smaller
 * number has passed its probe, so it can tell which runs must have been seen.
 */
#include "common.h"
#include "bpf_sdt.h"

#define LIVE_RUNS (1u << 24)

__u64 runs;
__u64 done_bits[LIVE_RUNS / 64];

BPF_SDT_DECLARE1(live_seq, __u64);

SEC("xdp")
int live_target(struct xdp_md *ctx)
{
	__u64 seq = __sync_fetch_and_add(&runs, 1);

	BPF_SDT_PROBE1(live_seq, seq);
	if (seq < LIVE_RUNS)
		__sync_fetch_and_or(&done_bits[seq / 64], 1ull << (seq % 64));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
