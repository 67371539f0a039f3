// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * socket_filter: a SOCKET_FILTER program (SEC("socket")): keeps the first
 * 20 bytes of TCP packets to port 23 (returns 20), everything else whole
 * (returns skb->len). Reads the packet with bpf_skb_load_bytes (socket
 * filters have no direct packet access). A socket filter sees the packet from
 * its network header on: offsets are relative to the IPv4 header, and a test
 * run of an Ethernet frame gives skb->len = frame length - 14.
 * Input pkt_tcp4.bin: retval 20. The same frame with dport 80: retval 50.
 */
#include "common.h"

SEC("socket")
int socket_filter(struct __sk_buff *skb)
{
	__u8 proto = 0;
	__u16 dport = 0;

	if (bpf_skb_load_bytes(skb, 9, &proto, 1) || proto != IPPROTO_TCP)
		return skb->len;
	if (bpf_skb_load_bytes(skb, 22, &dport, 2) || dport != bpf_htons(23))
		return skb->len;
	return 20;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
