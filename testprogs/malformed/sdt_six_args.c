// error: probe 'six' records 6 argument registers; a probe takes at most 5
/* sdt_six_args: a probe site recording six argument registers (the header stops at five). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int six_args(struct xdp_md *ctx)
{
	asm volatile("0:\n\tgoto +0\n"
		     "\t.pushsection .bpf_sdt_notes,\"\",@progbits\n"
		     "___sdt_jt_six:\n\t.quad 0b\n"
		     "\tr1 = r1\n\tr2 = r1\n\tr3 = r1\n\tr4 = r1\n\tr5 = r1\n\tr6 = r1\n"
		     "\t.popsection\n");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
