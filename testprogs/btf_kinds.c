// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * btf_kinds: one of each BTF kind for the parser and the C dump: INT, PTR,
 * ARRAY, STRUCT (with bitfields: kind_flag member offsets), UNION, ENUM
 * (signed and unsigned), ENUM64, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT,
 * FUNC, FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG and TYPE_TAG.
 * kinds_prog returns flags.b (5) + small_var (-1) + sizeof(struct kinds) (72).
 * Input any: retval 76.
 */
#include "common.h"

#define __tag(x) __attribute__((btf_decl_tag(x)))
#define __type_tag(x) __attribute__((btf_type_tag(x)))

struct opaque;

enum color { RED, GREEN = 5, BLUE };
enum small { MINUS = -1, PLUS = 1 };
enum wide { HUGE = 0xffffffff00000000ULL, TINY = 1 };

union number {
	__u32 u;
	float f;
};

struct bits {
	__u32 a: 3;
	__u32 b: 5;
	__u32 c: 24;
};

typedef int (*callback_t)(int, const char *);

struct kinds {
	struct bits flags;
	union number num;
	enum color color;
	enum wide wide;
	double ratio;
	const volatile __u32 cv;
	struct opaque *opaque;
	int __type_tag("user") *tagged;
	callback_t cb;
	char name[4];
} __tag("kinds_tag");

struct kinds kinds_var __tag("var_tag") = { .flags = { .a = 1, .b = 5 }, .color = GREEN };
enum small small_var = MINUS;

static __noinline int sum(int *restrict a, int *restrict b __tag("param_tag"))
{
	return *a + *b;
}

SEC("xdp")
int kinds_prog(struct xdp_md *ctx)
{
	int b = kinds_var.flags.b, s = small_var;

	return sum(&b, &s) + sizeof(struct kinds);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
