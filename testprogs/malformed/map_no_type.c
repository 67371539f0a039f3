// error: map 'bad': no type declared
#include "../common.h"
struct {
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bad SEC(".maps");
SEC("xdp") int p(struct xdp_md *ctx) { return bpf_map_lookup_elem(&bad, &(__u32){0}) != 0; }
char LICENSE[] SEC("license") = "GPL";
