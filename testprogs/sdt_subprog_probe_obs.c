// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_subprog_probe_obs: the observer of probe probe_ctx of
 * sdt_subprog_probe.o. Its argument is the target's struct xdp_md *, which it
 * may read and pass to helpers that take the context: it stores
 * bpf_xdp_get_buff_len(ctx) and counts calls.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 obs_buff_len;
__u64 obs_calls;

SEC("bpf_sdt/probe_ctx")
int BPF_PROG(obs_ctx, struct xdp_md *xdp)
{
	obs_buff_len = bpf_xdp_get_buff_len(xdp);
	obs_calls++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
