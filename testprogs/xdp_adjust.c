// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdp_adjust: bpf_xdp_adjust_head, bpf_xdp_adjust_tail, bpf_xdp_get_buff_len.
 * Strips the 14-byte Ethernet header (adjust_head +14), trims 10 bytes off the
 * end (adjust_tail -10) and returns the new length from bpf_xdp_get_buff_len
 * when the first byte is now the IPv4 version/IHL byte 0x45, else 1000 + step.
 * Input pkt_tcp4.bin (64 bytes): retval 40; data out = bytes 14..53 of the
 * input (40 bytes, starting 45 00 00 32).
 */
#include "common.h"

SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
	void *data, *data_end;

	if (bpf_xdp_adjust_head(ctx, sizeof(struct ethhdr)))
		return 1001;
	if (bpf_xdp_adjust_tail(ctx, -10))
		return 1002;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + 1 > data_end)
		return 1003;
	if (*(__u8 *)data != 0x45)
		return 1004;
	return bpf_xdp_get_buff_len(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
