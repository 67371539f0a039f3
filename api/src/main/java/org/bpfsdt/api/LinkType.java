package org.bpfsdt.api;

/** Link types ({@code enum bpf_link_type}); {@link #SDT} comes from the BPF SDT RFC. */
public enum LinkType {
    UNSPEC(0), RAW_TRACEPOINT(1), TRACING(2), CGROUP(3), ITER(4), NETNS(5), XDP(6), PERF_EVENT(7),
    KPROBE_MULTI(8), STRUCT_OPS(9), NETFILTER(10), TCX(11), UPROBE_MULTI(12), NETKIT(13), SOCKMAP(14),
    /** An SDT observer attached to a probe site of a target program. */
    SDT(1000);

    private final int kernelId;

    LinkType(int kernelId) {
        this.kernelId = kernelId;
    }

    public int kernelId() {
        return kernelId;
    }
}
