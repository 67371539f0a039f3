// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_subprog_probe: a probe inside a static __noinline subprogram, passing the
 * XDP context, as the RFC's subprog_probe selftest. The subprogram is appended
 * to subprog_target, so the probe belongs to that program at the appended
 * offset. subprog_target returns XDP_PASS (2) for a packet of at least 14
 * bytes. With sdt_subprog_probe_obs.o:obs_ctx attached, a run on pkt_tcp4.bin
 * leaves obs_buff_len = 64 (the observer called bpf_xdp_get_buff_len on the
 * target's context) and obs_calls = 1.
 */
#include "common.h"
#include "bpf_sdt.h"

BPF_SDT_DECLARE1(probe_ctx, struct xdp_md *);

static __noinline int check_len(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	BPF_SDT_PROBE1(probe_ctx, ctx);
	return data + sizeof(struct ethhdr) <= data_end;
}

SEC("xdp")
int subprog_target(struct xdp_md *ctx)
{
	return check_len(ctx) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
