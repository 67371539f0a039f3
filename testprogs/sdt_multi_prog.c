// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_multi_prog: probes in two target programs of different types, as the
 * RFC's multi_prog selftest. xdp_target fires BPF_SDT_PROBE1(xdp_len, len)
 * and returns XDP_PASS (2); tc_target fires the zero-argument probe tc_hit
 * and returns TC_ACT_OK (0). With sdt_multi_prog_obs.o's observers attached
 * to both at once, one run of each on pkt_tcp4.bin leaves xdp_seen_len = 64,
 * xdp_hits = 1, tc_hits = 1.
 */
#include "common.h"
#include "bpf_sdt.h"

BPF_SDT_DECLARE1(xdp_len, __u32);
BPF_SDT_DECLARE(tc_hit);

SEC("xdp")
int xdp_target(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	BPF_SDT_PROBE1(xdp_len, len);
	return XDP_PASS;
}

SEC("tc")
int tc_target(struct __sk_buff *skb)
{
	BPF_SDT_PROBE(tc_hit);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
