// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * map_hash: HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH with the update
 * flags' semantics.
 * flows (HASH): insert key 10 -> 100 with BPF_NOEXIST (ok), again with
 * BPF_NOEXIST (fails, -EEXIST), update key 11 with BPF_EXIST (fails, -ENOENT),
 * insert key 12 -> 1200 then delete it (0), delete it again (-ENOENT).
 * Returns 1 when every result was as the kernel gives it, else 1000 + the
 * number of the failing step. Each HASH-like map ends with key 10 -> 100
 * (per-CPU maps: on the running CPU).
 * Input any packet, one run: retval 1; flows = {10: 100}; pc_flows, lru_flows,
 * lru_pc_flows hold key 10 -> 100.
 */
#include "common.h"

#define HASH_MAP(name, kind)                        \
	struct {                                    \
		__uint(type, kind);                 \
		__uint(max_entries, 16);            \
		__type(key, __u32);                 \
		__type(value, __u64);               \
	} name SEC(".maps")

HASH_MAP(flows, BPF_MAP_TYPE_HASH);
HASH_MAP(pc_flows, BPF_MAP_TYPE_PERCPU_HASH);
HASH_MAP(lru_flows, BPF_MAP_TYPE_LRU_HASH);
HASH_MAP(lru_pc_flows, BPF_MAP_TYPE_LRU_PERCPU_HASH);

static __always_inline int exercise(void *map)
{
	__u32 k10 = 10, k11 = 11, k12 = 12;
	__u64 v100 = 100, v1200 = 1200, *v;

	if (bpf_map_update_elem(map, &k10, &v100, BPF_NOEXIST) != 0)
		return 1;
	if (bpf_map_update_elem(map, &k10, &v100, BPF_NOEXIST) != -17)
		return 2;
	if (bpf_map_update_elem(map, &k11, &v100, BPF_EXIST) != -2)
		return 3;
	if (bpf_map_update_elem(map, &k12, &v1200, BPF_ANY) != 0)
		return 4;
	v = bpf_map_lookup_elem(map, &k12);
	if (!v || *v != 1200)
		return 5;
	if (bpf_map_delete_elem(map, &k12) != 0)
		return 6;
	if (bpf_map_delete_elem(map, &k12) != -2)
		return 7;
	v = bpf_map_lookup_elem(map, &k10);
	if (!v || *v != 100)
		return 8;
	return 0;
}

SEC("xdp")
int hash_ops(struct xdp_md *ctx)
{
	int err;

	if ((err = exercise(&flows)))
		return 1000 + err;
	if ((err = exercise(&pc_flows)))
		return 1010 + err;
	if ((err = exercise(&lru_flows)))
		return 1020 + err;
	if ((err = exercise(&lru_pc_flows)))
		return 1030 + err;
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
