// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_multi_prog_obs: observers of sdt_multi_prog.o: obs_xdp_len on probe
 * xdp_len (keeps the length, counts hits) and obs_tc_hit on the zero-argument
 * probe tc_hit (counts hits and prints a trace line).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u32 xdp_seen_len;
__u64 xdp_hits;
__u64 tc_hits;

SEC("bpf_sdt/xdp_len")
int BPF_PROG(obs_xdp_len, __u32 len)
{
	xdp_seen_len = len;
	__sync_fetch_and_add(&xdp_hits, 1);
	return 0;
}

SEC("bpf_sdt/tc_hit")
int BPF_PROG(obs_tc_hit)
{
	__sync_fetch_and_add(&tc_hits, 1);
	bpf_printk("tc_hit %d", (int)tc_hits);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
