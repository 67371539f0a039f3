/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpf_sdt.h - statically defined tracing probes inside BPF programs (BPF SDT), as in the
 * kernel RFC "bpf: Introduce static-defined tracing probe for BPF", for bpf-sdt.
 *
 * A target program declares a probe's argument types once and fires it where it likes:
 *
 *	BPF_SDT_DECLARE2(probe_len_ret, int, int);
 *
 *	SEC("xdp") int prog(struct xdp_md *ctx)
 *	{
 *		int len = ctx->data_end - ctx->data;
 *		BPF_SDT_PROBE2(probe_len_ret, len, XDP_PASS);
 *		return XDP_PASS;
 *	}
 *
 * An observer is a tracing program in SEC("bpf_sdt") whose context is the probe's arguments
 * as u64s (use BPF_PROG from bpf_tracing.h); it is loaded against a target program and a probe
 * name, then attached with a BPF_TRACE_SDT link.
 *
 * What the compiler emits (the ELF layout the loader reads):
 *  - at the probe, "goto +0": a NOP that attaching patches into a call of the observers;
 *  - in section .bpf_sdt_notes, not loaded: the label ___sdt_jt_<name>, an 8-byte word holding
 *    the NOP's byte offset in its code section (an R_BPF_64_ABS64 relocation), then one 8-byte
 *    "rK = rS" instruction per argument K (1..5) whose source register S holds the argument at
 *    the probe; these instructions never run, they only record registers;
 *  - a BTF VAR __sdt_type_<name> of type "void (*const)(types...)" in .debug_bpf_sdt_types,
 *    tagged btf_decl_tag("bpf_sdt:<name>:<N>"), whose FUNC_PROTO types the arguments;
 *  - one variable per argument in .debug_bpf_sdt_chk, whose type the probe's _Static_asserts
 *    compare with the argument passed.
 * One BPF_SDT_PROBE per probe name: a second one is a duplicate-symbol error.
 */
#ifndef __BPF_SDT_H__
#define __BPF_SDT_H__

#define __bpf_sdt_str(x) #x

/* The typing variable and its tag; "used" keeps it (and so its BTF) in the object. */
#define __bpf_sdt_type_var(name, nargs)							\
	__attribute__((used, section(".debug_bpf_sdt_types"),				\
		       btf_decl_tag("bpf_sdt:" #name ":" __bpf_sdt_str(nargs))))		\
	static void (*const __sdt_type_##name)

/* One declared type per argument, for the compile-time checks at the probe. */
#define __bpf_sdt_chk_var(name, i, type)						\
	__attribute__((unused, section(".debug_bpf_sdt_chk"))) type __sdt_chk_##name##_##i

#define BPF_SDT_DECLARE0(name)								\
	__bpf_sdt_type_var(name, 0)(void)
#define BPF_SDT_DECLARE(name) BPF_SDT_DECLARE0(name)
#define BPF_SDT_DECLARE1(name, t0)							\
	__bpf_sdt_type_var(name, 1)(t0);						\
	__bpf_sdt_chk_var(name, 0, t0)
#define BPF_SDT_DECLARE2(name, t0, t1)							\
	__bpf_sdt_type_var(name, 2)(t0, t1);						\
	__bpf_sdt_chk_var(name, 0, t0);							\
	__bpf_sdt_chk_var(name, 1, t1)
#define BPF_SDT_DECLARE3(name, t0, t1, t2)						\
	__bpf_sdt_type_var(name, 3)(t0, t1, t2);					\
	__bpf_sdt_chk_var(name, 0, t0);							\
	__bpf_sdt_chk_var(name, 1, t1);							\
	__bpf_sdt_chk_var(name, 2, t2)
#define BPF_SDT_DECLARE4(name, t0, t1, t2, t3)						\
	__bpf_sdt_type_var(name, 4)(t0, t1, t2, t3);					\
	__bpf_sdt_chk_var(name, 0, t0);							\
	__bpf_sdt_chk_var(name, 1, t1);							\
	__bpf_sdt_chk_var(name, 2, t2);							\
	__bpf_sdt_chk_var(name, 3, t3)
#define BPF_SDT_DECLARE5(name, t0, t1, t2, t3, t4)					\
	__bpf_sdt_type_var(name, 5)(t0, t1, t2, t3, t4);				\
	__bpf_sdt_chk_var(name, 0, t0);							\
	__bpf_sdt_chk_var(name, 1, t1);							\
	__bpf_sdt_chk_var(name, 2, t2);							\
	__bpf_sdt_chk_var(name, 3, t3);							\
	__bpf_sdt_chk_var(name, 4, t4)

/* Compile-time checks of argument i against its declaration. */
#define __bpf_sdt_check(name, i, a)							\
	_Static_assert(__builtin_types_compatible_p(__typeof__(a),			\
						    __typeof__(__sdt_chk_##name##_##i)),	\
		       "BPF_SDT probe '" #name "': argument " #i " (" #a ")"		\
		       " does not have the type its BPF_SDT_DECLARE gives");		\
	_Static_assert(sizeof(__typeof__(a)) <= 8,					\
		       "BPF_SDT probe '" #name "': argument " #i " (" #a ")"		\
		       " is wider than 8 bytes; pass a pointer to it")

/* The NOP and its note; MOVS records one "rK = %N" per argument. */
#define __bpf_sdt_site(name, MOVS, ...)							\
	asm volatile("0:\n\tgoto +0\n"							\
		     "\t.pushsection .bpf_sdt_notes,\"\",@progbits\n"			\
		     "___sdt_jt_" #name ":\n"						\
		     "\t.quad 0b\n"							\
		     MOVS								\
		     "\t.popsection\n" :: __VA_ARGS__)

#define BPF_SDT_PROBE0(name) ({ __bpf_sdt_site(name, ""); })
#define BPF_SDT_PROBE(name) BPF_SDT_PROBE0(name)

#define BPF_SDT_PROBE1(name, a0) ({							\
	__bpf_sdt_check(name, 0, a0);							\
	__typeof__(a0) __sdt_a0 = (a0);							\
	__bpf_sdt_site(name, "\tr1 = %0\n", "r"(__sdt_a0));			\
})

#define BPF_SDT_PROBE2(name, a0, a1) ({							\
	__bpf_sdt_check(name, 0, a0);							\
	__bpf_sdt_check(name, 1, a1);							\
	__typeof__(a0) __sdt_a0 = (a0);							\
	__typeof__(a1) __sdt_a1 = (a1);							\
	__bpf_sdt_site(name, "\tr1 = %0\n\tr2 = %1\n",				\
		       "r"(__sdt_a0), "r"(__sdt_a1));				\
})

#define BPF_SDT_PROBE3(name, a0, a1, a2) ({						\
	__bpf_sdt_check(name, 0, a0);							\
	__bpf_sdt_check(name, 1, a1);							\
	__bpf_sdt_check(name, 2, a2);							\
	__typeof__(a0) __sdt_a0 = (a0);							\
	__typeof__(a1) __sdt_a1 = (a1);							\
	__typeof__(a2) __sdt_a2 = (a2);							\
	__bpf_sdt_site(name, "\tr1 = %0\n\tr2 = %1\n\tr3 = %2\n",		\
		       "r"(__sdt_a0), "r"(__sdt_a1), "r"(__sdt_a2));	\
})

#define BPF_SDT_PROBE4(name, a0, a1, a2, a3) ({						\
	__bpf_sdt_check(name, 0, a0);							\
	__bpf_sdt_check(name, 1, a1);							\
	__bpf_sdt_check(name, 2, a2);							\
	__bpf_sdt_check(name, 3, a3);							\
	__typeof__(a0) __sdt_a0 = (a0);							\
	__typeof__(a1) __sdt_a1 = (a1);							\
	__typeof__(a2) __sdt_a2 = (a2);							\
	__typeof__(a3) __sdt_a3 = (a3);							\
	__bpf_sdt_site(name, "\tr1 = %0\n\tr2 = %1\n\tr3 = %2\n\tr4 = %3\n",	\
		       "r"(__sdt_a0), "r"(__sdt_a1), "r"(__sdt_a2),	\
		       "r"(__sdt_a3));						\
})

#define BPF_SDT_PROBE5(name, a0, a1, a2, a3, a4) ({					\
	__bpf_sdt_check(name, 0, a0);							\
	__bpf_sdt_check(name, 1, a1);							\
	__bpf_sdt_check(name, 2, a2);							\
	__bpf_sdt_check(name, 3, a3);							\
	__bpf_sdt_check(name, 4, a4);							\
	__typeof__(a0) __sdt_a0 = (a0);							\
	__typeof__(a1) __sdt_a1 = (a1);							\
	__typeof__(a2) __sdt_a2 = (a2);							\
	__typeof__(a3) __sdt_a3 = (a3);							\
	__typeof__(a4) __sdt_a4 = (a4);							\
	__bpf_sdt_site(name,								\
		       "\tr1 = %0\n\tr2 = %1\n\tr3 = %2\n\tr4 = %3\n\tr5 = %4\n", \
		       "r"(__sdt_a0), "r"(__sdt_a1), "r"(__sdt_a2),	\
		       "r"(__sdt_a3), "r"(__sdt_a4));			\
})

#endif /* __BPF_SDT_H__ */
