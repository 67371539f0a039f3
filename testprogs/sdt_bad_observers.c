// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sdt_bad_observers: observers the verifier must refuse, each loaded alone
 * against the probe its section names: probe_len_ret (int, int) of
 * sdt_read_args.o, probe_ctx (struct xdp_md *) of sdt_subprog_probe.o:
 *   reads_third  reads a third argument the probe does not have
 *                (invalid bpf_context access off=16 size=8)
 *   writes_args  writes its context (invalid bpf_context access off=0 size=8)
 *   len_of_int   passes an int argument to bpf_xdp_get_buff_len (R1 type=scalar expected=ctx)
 *   writes_xdp   writes through the target's struct xdp_md * (only read is supported)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 sink;

SEC("bpf_sdt/probe_len_ret")
int BPF_PROG(reads_third, int len, int ret, int third)
{
	sink = len + ret + third;
	return 0;
}

SEC("bpf_sdt/probe_len_ret")
int writes_args(unsigned long long *ctx)
{
	ctx[0] = 1;
	return 0;
}

SEC("bpf_sdt/probe_len_ret")
int BPF_PROG(len_of_int, int len, int ret)
{
	sink = bpf_xdp_get_buff_len((struct xdp_md *)(long)len);
	return 0;
}

SEC("bpf_sdt/probe_ctx")
int BPF_PROG(writes_xdp, struct xdp_md *xdp)
{
	xdp->rx_queue_index = 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
