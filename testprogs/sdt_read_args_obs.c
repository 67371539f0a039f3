// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_read_args_obs: the observer of sdt_read_args.o's probe probe_len_ret.
 * A tracing program whose context is the probe's arguments as u64s: it keeps
 * the last arguments and counts hits. Returns 0 (ignored).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

int obs_len;
int obs_ret;
__u64 obs_hits;

SEC("bpf_sdt/probe_len_ret")
int BPF_PROG(obs_read_args, int len, int ret)
{
	obs_len = len;
	obs_ret = ret;
	__sync_fetch_and_add(&obs_hits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
