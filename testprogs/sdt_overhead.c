// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_overhead: the benchmark pair for probe costs. with_probe and
 * without_probe run the same classification as ../../shared/bench's
 * sdt_like (XDP_PASS for IPv4/IPv6 frames, XDP_DROP for other ethertypes,
 * XDP_ABORTED below an Ethernet header: 2 on pkt_tcp4.bin); with_probe also
 * fires BPF_SDT_PROBE2(classified, len, verdict), a NOP until an observer
 * (sdt_overhead_obs.o) attaches.
 */
#include "common.h"
#include "bpf_sdt.h"

BPF_SDT_DECLARE2(classified, int, int);

static __always_inline int classify(struct xdp_md *ctx, int *len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	*len = data_end - data;
	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_IP) || eth->h_proto == bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	return XDP_DROP;
}

SEC("xdp")
int with_probe(struct xdp_md *ctx)
{
	int len;
	int ret = classify(ctx, &len);

	BPF_SDT_PROBE2(classified, len, ret);
	return ret;
}

SEC("xdp")
int without_probe(struct xdp_md *ctx)
{
	int len;

	return classify(ctx, &len);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
