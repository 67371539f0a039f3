// error: 'missing_counter' is an extern
#include "../common.h"
extern __u32 missing_counter __attribute__((weak)) SEC(".ksyms");
SEC("xdp") int p(struct xdp_md *ctx) { return (long)&missing_counter; }
char LICENSE[] SEC("license") = "GPL";
