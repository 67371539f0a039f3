// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_read_args: an XDP target with one SDT probe, as the RFC's read_args selftest.
 * read_args fires BPF_SDT_PROBE2(probe_len_ret, len, XDP_PASS) with the packet
 * length and returns XDP_PASS (2). Without an observer the probe is a NOP.
 * With sdt_read_args_obs.o:obs_read_args attached, a test run on the 64-byte
 * pkt_tcp4.bin leaves obs_len = 64, obs_ret = 2, obs_hits = 1.
 */
#include "common.h"
#include "bpf_sdt.h"

BPF_SDT_DECLARE2(probe_len_ret, int, int);

SEC("xdp")
int read_args(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;

	BPF_SDT_PROBE2(probe_len_ret, len, XDP_PASS);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
