// error: probe 'mismatch' is declared with 2 arguments ... but its site records 1
/* sdt_count_mismatch: a probe declared with two arguments whose site records one. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

BPF_SDT_DECLARE2(mismatch, int, int);

SEC("xdp")
int count_mismatch(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;

	asm volatile("0:\n\tgoto +0\n"
		     "\t.pushsection .bpf_sdt_notes,\"\",@progbits\n"
		     "___sdt_jt_mismatch:\n\t.quad 0b\n\tr1 = %0\n\t.popsection\n" :: "r"(len));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
