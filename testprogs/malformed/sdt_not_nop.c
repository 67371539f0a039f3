// error: probe 'not_nop': instruction 0 of section 'xdp' is 'r0 = 0x0', not the probe's 'goto +0'
/* sdt_not_nop: a probe entry whose offset word points at an instruction that is not 'goto +0'. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

BPF_SDT_DECLARE(not_nop);

SEC("xdp")
int not_nop(struct xdp_md *ctx)
{
	asm volatile("0:\n\tr0 = 0\n\tgoto +0\n"
		     "\t.pushsection .bpf_sdt_notes,\"\",@progbits\n"
		     "___sdt_jt_not_nop:\n\t.quad 0b\n\t.popsection\n" ::: "r0");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
