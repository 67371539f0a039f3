// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_overhead_obs: the benchmark's observer of sdt_overhead.o's probe
 * classified: it stores its two arguments, nothing else.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

int obs_len;
int obs_ret;

SEC("bpf_sdt/classified")
int BPF_PROG(obs_store, int len, int ret)
{
	obs_len = len;
	obs_ret = ret;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
