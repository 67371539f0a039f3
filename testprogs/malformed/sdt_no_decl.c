// error: probe 'orphan' has no BTF declaration ... BPF_SDT_DECLARE0
/* sdt_no_decl: a probe fired without BPF_SDT_DECLARE: its BTF declaration is missing. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

SEC("xdp")
int no_decl(struct xdp_md *ctx)
{
	BPF_SDT_PROBE0(orphan);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
