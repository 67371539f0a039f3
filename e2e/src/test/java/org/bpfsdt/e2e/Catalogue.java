package org.bpfsdt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.spi.ContextLayouts;

/**
 * Every program of {@code testprogs/} and of the shared yardstick programs with the inputs and
 * results their READMEs document. Each case is run on this runtime (documented results) and,
 * where the kernel can run it, in the kernel (the same results, maps, packets and contexts).
 */
final class Catalogue {
    private Catalogue() {
    }

    static final byte[] PKT = Shared.input("pkt_tcp4.bin");
    static final byte[] PKT_FNV = Shared.input("pkt_fnv.bin");
    /** Needs func_info and map BTF in the kernel, which the oracle does not load. */
    static final String NEEDS_KERNEL_BTF = "callbacks and spin locks need BTF loaded into the kernel, which the oracle does not do";
    /** The machines' kernels refuse tracing programs before verifying them. */
    static final String TRACING_EPERM = "the kernel refuses tracing programs with EPERM on these machines";

    private static Path tp(String name) {
        return Shared.testprogs().resolve(name);
    }

    private static Path bench(String name) {
        return Shared.benchProgs().resolve(name);
    }

    static List<ProgramCase> all() {
        List<ProgramCase> c = new ArrayList<>();
        c.add(ProgramCase.run(tp("map_array.o"), "array_ops", PKT, 64).expect(o -> {
            assertEquals(List.of(0L, 64L, 7L, 0L), u64s(o.object().map("counters"), 4));
            assertEquals(1, perCpuSum(o.object().map("hits"), le32(0)));
        }));
        c.add(ProgramCase.run(tp("map_hash.o"), "hash_ops", PKT, 1).expect(o -> {
            for (String m : List.of("flows", "lru_flows")) {
                assertEquals(100, u64(o.object().map(m).lookup(le32(10)).orElseThrow(), 0), m);
            }
            for (String m : List.of("pc_flows", "lru_pc_flows")) {
                assertEquals(100, perCpuSum(o.object().map(m), le32(10)), m);
            }
        }));
        c.add(ProgramCase.run(tp("map_queue_stack.o"), "queue_stack", PKT, 113321).expect(o -> {
            assertEquals(List.of(2L, 3L), pops(o.object().map("queue")));
            assertEquals(List.of(1L), pops(o.object().map("stack")));
        }));
        c.add(ProgramCase.run(tp("map_lpm_bloom.o"), "lpm_bloom", PKT, 1));
        c.add(ProgramCase.run(tp("map_lpm_bloom.o"), "lpm_bloom", PKT, 21).fill(w -> {
            w.update("routes", lpmKey(8, 10, 0, 0, 0), le32(1));
            w.update("routes", lpmKey(24, 10, 0, 0, 0), le32(2));
        }));
        c.add(ProgramCase.run(tp("map_ringbuf.o"), "ringbuf_ops", PKT, 64).expect(o -> {
            List<byte[]> records = new ArrayList<>();
            try (var reader = o.object().map("events").ringBufferReader()) {
                reader.consume(r -> records.add(r.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
            }
            assertEquals(2, records.size(), "the discarded reservation is skipped");
            assertEquals(64, u64(records.get(0), 0));
            assertEquals(64, u64(records.get(1), 0));
            assertEquals(0xfeed, u64(records.get(1), 8));
        }).notInKernel("the oracle has no ring buffer consumer; the return value is compared"));
        c.add(ProgramCase.run(tp("tail_call.o"), "tail_entry", PKT, 2));
        c.add(ProgramCase.run(tp("tail_call.o"), "tail_entry", Arrays.copyOf(PKT, 128), 1));
        c.add(ProgramCase.run(tp("tail_call.o"), "tail_entry", Arrays.copyOf(PKT, 96), 77));
        c.add(ProgramCase.run(tp("helpers_misc.o"), "helpers_misc", PKT, 127).expect(o -> {
            assertEquals(List.of("helpers_misc len=64"), o.trace().stream().map(l -> l.text()).toList());
            assertEquals(1, u32(o.object().map("locked").lookup(le32(0)).orElseThrow(), 4), "locked[0].count");
        }).notInKernel(NEEDS_KERNEL_BTF));
        c.add(ProgramCase.run(tp("xdp_adjust.o"), "xdp_adjust", PKT, 40)
                .expect(o -> assertArrayEquals(Arrays.copyOfRange(PKT, 14, 54), o.last().dataOut())));
        c.add(ProgramCase.run(tp("tc_skb.o"), "tc_fields", PKT, 100641064).ctx(new byte[ContextLayouts.SKB_SIZE]).expect(o -> {
            byte[] ctx = o.last().ctxOut();
            assertEquals(42, u32(ctx, ContextLayouts.SKB_MARK));
            assertEquals(5, u32(ctx, ContextLayouts.SKB_PRIORITY));
            assertEquals(64, u32(ctx, ContextLayouts.SKB_CB));
        }));
        c.add(ProgramCase.run(tp("tc_skb.o"), "tc_classify", PKT, 2));
        c.add(ProgramCase.run(tp("socket_filter.o"), "socket_filter", PKT, 20));
        byte[] port80 = PKT.clone();
        port80[36] = 0;
        port80[37] = 80;
        c.add(ProgramCase.run(tp("socket_filter.o"), "socket_filter", port80, 50));
        c.add(ProgramCase.run(tp("tracing_args.o"), "on_entry", null, 0).ctx(u64s(64, 2))
                // the SDT observer needs a target program (issue 6); the fentry program is run as a plain tracing program
                .configure(o -> o.program("observe").setAutoload(false))
                .expect(o -> {
                    assertEquals(64, o.object().global("ent_len").longValue());
                    assertEquals(2, o.object().global("ent_ret").longValue());
                }).notInKernel(TRACING_EPERM));
        c.add(ProgramCase.run(tp("global_data.o"), "global_data", PKT, 207).expect(o -> {
            assertEquals(1, o.object().global("runs").longValue());
            assertEquals(64, o.object().global("last_len").longValue());
            assertArrayEquals(le32(0, 0, 1, 0), o.object().global("per_cpu_like").bytes());
        }));
        c.add(ProgramCase.run(tp("global_data.o"), "global_data", PKT, 655).configure(o -> o.global("multiplier").set(10)));
        c.add(ProgramCase.run(tp("subprogs.o"), "prog_a", PKT, 1089));
        c.add(ProgramCase.run(tp("subprogs.o"), "prog_b", PKT, 64));
        byte[] mark7 = new byte[ContextLayouts.SKB_SIZE];
        mark7[ContextLayouts.SKB_MARK] = 7;
        c.add(ProgramCase.run(tp("core_ctx.o"), "core_ctx", PKT, 11307064).ctx(mark7));
        c.add(ProgramCase.run(tp("btf_kinds.o"), "kinds_prog", PKT, 76));
        c.add(ProgramCase.run(tp("multi_prog.o"), "count_pass", PKT, 2).then("count_drop", PKT, 1).then("count_len", PKT, 64)
                .then("frags_len", PKT, 64).then("untyped", PKT, 0)
                .configure(o -> o.program("untyped").setType(ProgramType.XDP))
                .expect(o -> assertEquals(List.of(1L, 1L, 64L), u64s(o.object().map("counts"), 3))));

        c.add(ProgramCase.run(bench("xdp_parse.o"), "xdp_parse", PKT, 1));
        c.add(ProgramCase.run(bench("xdp_fnv.o"), "xdp_fnv", PKT_FNV, 197));
        c.add(ProgramCase.run(bench("compute_primes.o"), "compute_primes", PKT, 168));
        c.add(ProgramCase.run(bench("array_counter.o"), "array_counter", PKT, 2).then("array_counter", PKT, 2)
                .expect(o -> assertEquals(List.of(2L), u64s(o.object().map("pkt_counter"), 1))));
        c.add(ProgramCase.run(bench("hash_flow.o"), "hash_flow", PKT, 2).then("hash_flow", PKT, 2).expect(o -> {
            BpfMap flows = o.object().map("flows");
            byte[] key = flows.nextKey(null).orElseThrow();
            assertTrue(flows.nextKey(key).isEmpty(), "one flow");
            byte[] stats = flows.lookup(key).orElseThrow();
            assertEquals(2, u64(stats, 0), "packets");
            assertEquals(128, u64(stats, 8), "bytes");
        }));
        c.add(ProgramCase.run(bench("sdt_like.o"), "sdt_like", PKT, 2).then("sdt_like_noprobe", PKT, 2));
        c.add(ProgramCase.run(bench("sdt_like_linked.o"), "sdt_like", PKT, 2).then("sdt_like_noprobe", PKT, 2));
        return c;
    }

    // values ----------------------------------------------------------------------------------

    static byte[] le32(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    static byte[] u64s(long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    static long u64(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(off);
    }

    static long u32(byte[] b, int off) {
        return Integer.toUnsignedLong(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(off));
    }

    /** {@code struct { u32 prefixlen; u8 addr[4]; }}. */
    static byte[] lpmKey(int prefix, int a, int b, int c, int d) {
        return new byte[] {(byte) prefix, 0, 0, 0, (byte) a, (byte) b, (byte) c, (byte) d};
    }

    /** Values 0..n-1 of an ARRAY map of u64. */
    static List<Long> u64s(BpfMap map, int n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(u64(map.lookup(le32(i)).orElseThrow(), 0));
        }
        return out;
    }

    /** A per-CPU u64 value summed over the CPUs. */
    static long perCpuSum(BpfMap map, byte[] key) {
        byte[] all = map.lookup(key).orElseThrow();
        long sum = 0;
        for (int off = 0; off < all.length; off += 8) {
            sum += u64(all, off);
        }
        return sum;
    }

    /** Pops a queue or stack of u32 until it is empty. */
    static List<Long> pops(BpfMap map) {
        List<Long> out = new ArrayList<>();
        for (var v = map.lookupAndDelete(null); v.isPresent(); v = map.lookupAndDelete(null)) {
            out.add(u32(v.get(), 0));
        }
        return out;
    }
}
