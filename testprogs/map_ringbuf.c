// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * map_ringbuf: RINGBUF output, reserve/submit, reserve/discard and query.
 * Each run writes two records: an 8-byte record {len} with bpf_ringbuf_output,
 * and a reserved 16-byte struct event {len, 0xfeed} that is submitted; a third
 * reservation is discarded. Returns bpf_ringbuf_query(BPF_RB_AVAIL_DATA)
 * (bytes not yet consumed, each record with its 8-byte header, rounded to 8).
 * Input pkt_tcp4.bin, one run, nothing consumed: retval 40 (8+8 + 8+16);
 * a consumer then reads the records 64 and {64, 0xfeed}, not the discarded one.
 */
#include "common.h"

struct event {
	__u64 len;
	__u64 magic;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int ringbuf_ops(struct xdp_md *ctx)
{
	__u64 len = ctx->data_end - ctx->data;
	struct event *e;

	bpf_ringbuf_output(&events, &len, sizeof(len), 0);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return XDP_ABORTED;
	e->len = len;
	e->magic = 0xfeed;
	bpf_ringbuf_submit(e, 0);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e)
		bpf_ringbuf_discard(e, 0);
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
