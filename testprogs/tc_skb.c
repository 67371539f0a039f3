// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tc_skb: struct __sk_buff fields of a TC classifier, and two programs in
 * one section (SEC("tc")).
 * tc_fields: reads len, protocol, data/data_end (direct packet access: the IPv4
 * TTL byte), ifindex and priority; writes mark = 0x2a, priority = 5 and
 * cb[0] = len; copies 4 bytes at offset 26 (IPv4 source) with bpf_skb_load_bytes.
 * Returns len + (protocol == htons(ETH_P_IP) ? 1000 : 0) + TTL * 10000
 * + (saddr == 10.0.0.1 ? 100000000 : 0).
 * tc_classify: returns TC_ACT_SHOT (2) for TCP to port 23, else TC_ACT_OK (0).
 * Input pkt_tcp4.bin (64 bytes, TTL 64, protocol from the Ethernet header):
 * tc_fields retval 100641064 with ctx out mark 42, priority 5, cb[0] 64;
 * tc_classify retval 2.
 */
#include "common.h"

SEC("tc")
int tc_fields(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 saddr = 0;
	long ret = skb->len;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_SHOT;
	if (skb->protocol == bpf_htons(ETH_P_IP))
		ret += 1000;
	ret += ip->ttl * 10000;
	if (bpf_skb_load_bytes(skb, 26, &saddr, 4) == 0 && saddr == bpf_htonl(0x0a000001))
		ret += 100000000;
	skb->mark = 0x2a;
	skb->priority = 5;
	skb->cb[0] = skb->len;
	return ret;
}

SEC("tc")
int tc_classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct tcphdr *tcp = (void *)(ip + 1);

	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;
	if (ip->protocol == IPPROTO_TCP && tcp->dest == bpf_htons(23))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
