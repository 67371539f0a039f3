// error: map 'bad': unknown field 'colour'
#include "../common.h"
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(colour, 3);
	__type(key, __u32);
	__type(value, __u32);
} bad SEC(".maps");
SEC("xdp") int p(struct xdp_md *ctx) { return bpf_map_lookup_elem(&bad, &(__u32){0}) != 0; }
char LICENSE[] SEC("license") = "GPL";
