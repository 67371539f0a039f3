package org.bpfsdt.api;

/** Map types with the kernel's numbers ({@code enum bpf_map_type}). */
public enum MapType {
    UNSPEC(0), HASH(1), ARRAY(2), PROG_ARRAY(3), PERF_EVENT_ARRAY(4), PERCPU_HASH(5), PERCPU_ARRAY(6),
    STACK_TRACE(7), CGROUP_ARRAY(8), LRU_HASH(9), LRU_PERCPU_HASH(10), LPM_TRIE(11), ARRAY_OF_MAPS(12),
    HASH_OF_MAPS(13), DEVMAP(14), SOCKMAP(15), CPUMAP(16), XSKMAP(17), SOCKHASH(18), CGROUP_STORAGE(19),
    REUSEPORT_SOCKARRAY(20), PERCPU_CGROUP_STORAGE(21), QUEUE(22), STACK(23), SK_STORAGE(24),
    DEVMAP_HASH(25), STRUCT_OPS(26), RINGBUF(27), INODE_STORAGE(28), TASK_STORAGE(29), BLOOM_FILTER(30),
    USER_RINGBUF(31), CGRP_STORAGE(32), ARENA(33),
    /** Instruction offsets of a program; with {@link MapFlags#INSN_ARRAY_SDT} it holds SDT probes. */
    INSN_ARRAY(34);

    private final int kernelId;

    MapType(int kernelId) {
        this.kernelId = kernelId;
    }

    public int kernelId() {
        return kernelId;
    }

    /** Whether a value exists per CPU (lookups from Java see one value per possible CPU). */
    public boolean isPerCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH || this == PERCPU_CGROUP_STORAGE;
    }

    public static MapType byKernelId(int id) {
        for (MapType t : values()) {
            if (t.kernelId == id) {
                return t;
            }
        }
        throw BpfException.einval("unknown map type " + id);
    }
}
