// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_live_obs: two interchangeable observers of sdt_live.o's probe live_seq.
 * Each sets the run's bit in seen_bits; finding it already set counts a run
 * seen twice (twice). observed counts every call.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define LIVE_RUNS (1u << 24)

__u64 seen_bits[LIVE_RUNS / 64];
__u64 twice;
__u64 observed;

static __always_inline void see(__u64 seq)
{
	if (seq < LIVE_RUNS) {
		__u64 bit = 1ull << (seq % 64);

		if (__sync_fetch_and_or(&seen_bits[seq / 64], bit) & bit)
			__sync_fetch_and_add(&twice, 1);
	}
	__sync_fetch_and_add(&observed, 1);
}

SEC("bpf_sdt/live_seq")
int BPF_PROG(obs_live_a, __u64 seq)
{
	see(seq);
	return 0;
}

SEC("bpf_sdt/live_seq")
int BPF_PROG(obs_live_b, __u64 seq)
{
	see(seq);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
