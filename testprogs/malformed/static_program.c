// error: program 'p' is static
#include "../common.h"
SEC("xdp") static int p(struct xdp_md *ctx) { return 2; }
SEC("xdp") int q(struct xdp_md *ctx) { return p(ctx); }
char LICENSE[] SEC("license") = "GPL";
