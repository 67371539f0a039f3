// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tracing_args: TRACING programs whose context is an array of u64 arguments.
 * observe (SEC("bpf_sdt/probe_len_ret"), an SDT observer of probe
 * probe_len_ret) stores its two arguments in .bss globals and counts hits;
 * on_entry (SEC("fentry/trace_point")) does the same for fentry. Both return 0.
 * Test run with ctx = {64, 2} (two u64): retval 0; then obs_len = 64,
 * obs_ret = 2, obs_hits = 1 (fentry: ent_len = 64, ent_ret = 2).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 obs_hits;
int obs_len;
int obs_ret;
int ent_len;
int ent_ret;

SEC("bpf_sdt/probe_len_ret")
int BPF_PROG(observe, int len, int ret)
{
	obs_len = len;
	obs_ret = ret;
	obs_hits++;
	return 0;
}

SEC("fentry/trace_point")
int BPF_PROG(on_entry, int len, int ret)
{
	ent_len = len;
	ent_ret = ret;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
