// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_layout_variants: SDT notes in the shapes other compilers of the same
 * layout may give them, which the loader must read the same way: the notes
 * section allocated ("a" flags), entries whose labels come in another order
 * than their NOPs (the second probe's entry is emitted first, from a
 * subprogram), arguments passed to the asm without copies, a register used
 * by two arguments. variants returns 3 (ETH_P_IP's high byte is 0x08: 8 - 5);
 * with observers on both probes: pair_a = 64, pair_b = 64, first_kind = 8.
 */
#include "common.h"
#include "bpf_sdt.h"

BPF_SDT_DECLARE2(pair, __u64, __u64);
BPF_SDT_DECLARE1(first, __u8);

static __noinline int kind(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;
	__u8 k;

	if (data + 14 > data_end)
		return 0;
	k = data[12];
	asm volatile("0:\n\tgoto +0\n"
		     "\t.pushsection .bpf_sdt_notes,\"a\",@progbits\n"
		     "___sdt_jt_first:\n\t.quad 0b\n\tr1 = %0\n\t.popsection\n" :: "r"(k));
	return k;
}

SEC("xdp")
int variants(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	int k = kind(ctx);

	asm volatile("0:\n\tgoto +0\n"
		     "\t.pushsection .bpf_sdt_notes,\"a\",@progbits\n"
		     "___sdt_jt_pair:\n\t.quad 0b\n\tr1 = %0\n\tr2 = %0\n\t.popsection\n" :: "r"(len));
	return k - 5;
}

char LICENSE[] SEC("license") = "GPL";
