// error: legacy map definitions ... are not supported
#include "../common.h"
struct bpf_map_def_legacy { unsigned int type, key_size, value_size, max_entries; };
struct bpf_map_def_legacy old SEC("maps") = { BPF_MAP_TYPE_ARRAY, 4, 4, 1 };
SEC("xdp") int p(struct xdp_md *ctx) { return bpf_map_lookup_elem(&old, &(__u32){0}) != 0; }
char LICENSE[] SEC("license") = "GPL";
