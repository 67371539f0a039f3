// error: map 'bad': conflicting key size 8 != 4
#include "../common.h"
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(key_size, 8);
	__type(key, __u32);
	__type(value, __u32);
} bad SEC(".maps");
SEC("xdp") int p(struct xdp_md *ctx) { return bpf_map_lookup_elem(&bad, &(__u32){0}) != 0; }
char LICENSE[] SEC("license") = "GPL";
