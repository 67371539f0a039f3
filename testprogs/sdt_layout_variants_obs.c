// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_layout_variants_obs: observers of sdt_layout_variants.o: obs_pair keeps
 * both arguments of probe pair (the packet length twice: 64, 64 on
 * pkt_tcp4.bin), obs_first the u8 of probe first (8, from the ethertype).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 pair_a;
__u64 pair_b;
__u32 first_kind;

SEC("bpf_sdt/pair")
int BPF_PROG(obs_pair, __u64 a, __u64 b)
{
	pair_a = a;
	pair_b = b;
	return 0;
}

SEC("bpf_sdt/first")
int BPF_PROG(obs_first, __u8 kind)
{
	first_kind = kind;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
