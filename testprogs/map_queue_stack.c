// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * map_queue_stack: QUEUE (FIFO) and STACK (LIFO) with push, peek and pop.
 * Pushes 1, 2, 3 to both; peeks and pops. Returns
 *   queue peek (1) * 100000 + queue pop (1) * 10000 + stack peek (3) * 1000
 *   + stack pop (3) * 100 + second stack pop (2) * 10 + pop of an empty queue
 *   after draining (-ENOENT -> 1)
 * Input any packet, one run: retval 113321; the queue then holds 2, 3 and the
 * stack holds 1. A push onto a full queue (max_entries 3) without BPF_EXIST
 * fails with -E2BIG; with BPF_EXIST it drops the oldest.
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 3);
	__type(value, __u32);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 3);
	__type(value, __u32);
} stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 2);
	__uint(value_size, 4);
} scratch SEC(".maps");

SEC("xdp")
int queue_stack(struct xdp_md *ctx)
{
	__u32 v1 = 1, v2 = 2, v3 = 3, v, qpeek = 0, qpop = 0, speek = 0, spop = 0, spop2 = 0, empty = 0;

	bpf_map_push_elem(&queue, &v1, 0);
	bpf_map_push_elem(&queue, &v2, 0);
	bpf_map_push_elem(&queue, &v3, 0);
	bpf_map_push_elem(&stack, &v1, 0);
	bpf_map_push_elem(&stack, &v2, 0);
	bpf_map_push_elem(&stack, &v3, 0);
	bpf_map_peek_elem(&queue, &qpeek);
	bpf_map_pop_elem(&queue, &qpop);
	bpf_map_peek_elem(&stack, &speek);
	bpf_map_pop_elem(&stack, &spop);
	bpf_map_pop_elem(&stack, &spop2);
	/* push 1, pop it, then an empty pop */
	v = 9;
	bpf_map_push_elem(&scratch, &v, 0);
	bpf_map_pop_elem(&scratch, &v);
	if (bpf_map_pop_elem(&scratch, &v) == -2)
		empty = 1;
	return qpeek * 100000 + qpop * 10000 + speek * 1000 + spop * 100 + spop2 * 10 + empty;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
