// error: DECL_TAG "bpf_sdt:dup:0": probe 'dup' is declared twice
/* sdt_dup_decl: two BTF declarations of the same probe name (as two headers declaring it would give). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpf_sdt.h"

BPF_SDT_DECLARE(dup);
__attribute__((used, section(".debug_bpf_sdt_types"), btf_decl_tag("bpf_sdt:dup:0")))
static void (*const __sdt_type_dup_again)(void);

SEC("xdp")
int dup_decl(struct xdp_md *ctx)
{
	BPF_SDT_PROBE(dup);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
