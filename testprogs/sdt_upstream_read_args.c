// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_upstream_read_args: sdt_read_args.c written as the RFC's own bpf_sdt.h
 * expands it, by hand (the upstream header is not part of this project).
 * Known facts of that expansion, from the RFC's header: the attribute list
 * comes before "static" in the typing variable, the check variables are
 * global tentative definitions in .debug_bpf_sdt_chk, the probe's arguments
 * are copied into locals of their own type before the asm, and the asm text
 * has no indentation. It must load and run exactly as sdt_read_args.o:
 * read_args returns XDP_PASS, and the observer of sdt_read_args_obs.o sees
 * obs_len = 64, obs_ret = 2 after a run on the 64-byte pkt_tcp4.bin.
 */
#include "common.h"

/* BPF_SDT_DECLARE2(probe_len_ret, int, int) */
__attribute__((used, section(".debug_bpf_sdt_types"), btf_decl_tag("bpf_sdt:probe_len_ret:2")))
static void (*const __sdt_type_probe_len_ret)(int, int);
__attribute__((unused, section(".debug_bpf_sdt_chk"))) int __sdt_chk_probe_len_ret_0;
__attribute__((unused, section(".debug_bpf_sdt_chk"))) int __sdt_chk_probe_len_ret_1;

SEC("xdp")
int read_args(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;

	/* BPF_SDT_PROBE2(probe_len_ret, len, XDP_PASS) */
	({
		_Static_assert(__builtin_types_compatible_p(typeof(len), typeof(__sdt_chk_probe_len_ret_0)),
			       "BPF_SDT_PROBE2: arg0 type mismatch");
		_Static_assert(sizeof(typeof(len)) <= 8, "BPF_SDT_PROBE2: arg0 too large, use pointer");
		_Static_assert(__builtin_types_compatible_p(typeof(XDP_PASS), typeof(__sdt_chk_probe_len_ret_1)),
			       "BPF_SDT_PROBE2: arg1 type mismatch");
		_Static_assert(sizeof(typeof(XDP_PASS)) <= 8, "BPF_SDT_PROBE2: arg1 too large, use pointer");
		typeof(len) __a0 = (len);
		typeof(XDP_PASS) __a1 = (XDP_PASS);
		asm volatile("0:\n"
			     "goto +0\n"
			     ".pushsection .bpf_sdt_notes,\"\",@progbits\n"
			     "___sdt_jt_probe_len_ret:\n"
			     ".quad 0b\n"
			     "r1 = %0\n"
			     "r2 = %1\n"
			     ".popsection\n"
			     :: "r"(__a0), "r"(__a1));
	});
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
