// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * rodata_consts: const volatile globals (.rodata, frozen before load) that the
 * verifier reads as constants, as Linux does. Each program is refused when the
 * value is unknown (a writable global in its place), and its verdict or result
 * follows what is set before load:
 * - rodata_loop sums squares[i] (i * i as a byte) for i < loop_count (default
 *   16: 1240; 20: 1446; 65 reads past the 64-byte array: refused).
 * - rodata_branch returns packet byte 37; with trust_len set (1) it reads it
 *   without a bounds check: refused.
 * - rodata_copy copies copy_len (default 8) packet bytes into a 16-byte buffer
 *   and returns buf[0] + buf[7]; more than 16: refused.
 * Input pkt_tcp4.bin (64 bytes), defaults: rodata_loop 1240, rodata_branch 23
 * (the low byte of the TCP destination port), rodata_copy 2 + 0 = 2.
 */
#include "common.h"

const volatile __u32 loop_count = 16;
const volatile __u8 trust_len = 0;
const volatile __u32 copy_len = 8;

SEC("xdp")
int rodata_loop(struct xdp_md *ctx)
{
	__u8 squares[64];
	__u32 sum = 0;

	for (__u32 i = 0; i < 64; i++)
		squares[i] = i * i;
	for (__u32 i = 0; i < loop_count; i++)
		sum += squares[i];
	return sum;
}

SEC("xdp")
int rodata_branch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (trust_len)
		return *(__u8 *)(data + 37);
	if (data + 38 > end)
		return 0;
	return *(__u8 *)(data + 37);
}

SEC("xdp")
int rodata_copy(struct xdp_md *ctx)
{
	__u8 buf[16] = {};

	if (bpf_xdp_load_bytes(ctx, 0, buf, copy_len))
		return 0;
	return buf[0] + buf[7];
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
