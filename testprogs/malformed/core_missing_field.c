// error (at link/load): prog 'p': ... CO-RE relocation byte_off of struct __sk_buff___mine.no_such_field ... no matching field
#include "../common.h"
struct __sk_buff___mine { __u32 no_such_field; } __attribute__((preserve_access_index));
SEC("tc") int p(struct __sk_buff *ctx) { return ((struct __sk_buff___mine *)ctx)->no_such_field; }
char LICENSE[] SEC("license") = "GPL";
