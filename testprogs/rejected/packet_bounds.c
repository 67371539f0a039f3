// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * packet_bounds: two XDP programs that read the IPv4 TTL (packet byte 22).
 * ttl_checked proves the Ethernet and IPv4 headers are in the packet first: accepted.
 * ttl_unchecked proves only the Ethernet header: refused by the verifier (and by the
 * kernel) with "invalid access to packet, off=22 size=1".
 */
#include "../common.h"

SEC("xdp")
int ttl_checked(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	return ip->ttl;
}

SEC("xdp")
int ttl_unchecked(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);

	if ((void *)ip > data_end)
		return XDP_PASS;
	return ip->ttl;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
