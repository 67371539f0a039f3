package org.bpfsdt.e2e;

import static org.bpfsdt.e2e.Catalogue.PKT;
import static org.bpfsdt.e2e.Catalogue.le32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.core.runtime.ServiceLoaderRuntime;
import org.bpfsdt.oracle.KernelBpf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Test-run contexts and packet helpers against the kernel: small programs written against
 * {@code struct xdp_md} and {@code struct __sk_buff} (the verifier rewrites their context
 * accesses), run here and in the kernel on the same packet and {@code ctx_in}, must give the
 * same return value, packet out and context out, or fail with the same errno.
 */
class ContextKernelTest {
    private static CoreRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = new ServiceLoaderRuntime();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    /** A program, its input, and (for refusals) the room left for the packet out. */
    record Case(String name, ProgramType type, String asm, byte[] data, byte[] ctx, int dataRoom) {
        Case room(int bytes) {
            return new Case(name, type, asm, data, ctx, bytes);
        }
    }

    private static Case xdp(String name, String asm, byte[] data, byte[] ctx) {
        return new Case(name, ProgramType.XDP, asm, data, ctx, 0);
    }

    private static Case tc(String name, String asm, byte[] data, byte[] ctx) {
        return new Case(name, ProgramType.SCHED_CLS, asm, data, ctx, 0);
    }

    private static Case sf(String name, String asm, byte[] data, byte[] ctx) {
        return new Case(name, ProgramType.SOCKET_FILTER, asm, data, ctx, 0);
    }

    /** {@code r0 = helper(ctx, arg)}. */
    private static String call(int helper, long arg) {
        return "mov %r6, %r1\nlddw %r2, " + arg + "\ncall " + helper + "\nexit";
    }

    private static String field(int off) {
        return "ldxw %r0, [%r1+" + off + "]\nexit";
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        byte[] md = le32(0, 64, 0, 0, 0, 0);
        byte[] meta8 = new byte[72];
        Arrays.fill(meta8, 0, 8, (byte) 0x5a);
        System.arraycopy(PKT, 0, meta8, 8, 64);
        byte[] mdMeta8 = le32(8, 72, 0, 0, 0, 0);
        String length = "ldxw %r2, [%r1+0]\nldxw %r3, [%r1+4]\nmov %r0, %r3\nsub %r0, %r2\nexit";
        c.add(xdp("xdp length", length, PKT, null));
        c.add(xdp("xdp length with ctx_in", length, PKT, md));
        c.add(xdp("xdp metadata length", "ldxw %r2, [%r1+8]\nldxw %r3, [%r1+0]\nmov %r0, %r3\nsub %r0, %r2\nexit", meta8, mdMeta8));
        for (byte[] ctx : new byte[][] {null, md, le32(0, 64, 0, 1, 0, 0)}) {
            c.add(xdp("xdp ingress_ifindex", field(12), PKT, ctx));
            c.add(xdp("xdp rx_queue_index", field(16), PKT, ctx));
        }
        for (long d : new long[] {14, 50, 51, -216, -217, -1}) {
            c.add(xdp("xdp_adjust_head " + d, call(44, d), PKT, null));
        }
        c.add(xdp("xdp_adjust_head 14 with metadata", call(44, 14), meta8, mdMeta8));
        for (long d : new long[] {-50, -51, 3456, 3457, 100}) {
            c.add(xdp("xdp_adjust_tail " + d, call(65, d), PKT, null));
        }
        c.add(xdp("xdp_adjust_tail 100 with metadata", call(65, 100), meta8, mdMeta8));
        for (long d : new long[] {-4, -3, -216, -220, 4, -256}) {
            c.add(xdp("xdp_adjust_meta " + d, call(54, d), PKT, null));
        }
        c.add(xdp("xdp_get_buff_len", call(188, 0), PKT, null));
        String loadStore = """
                mov %r6, %r1
                mov %r2, OFF
                mov %r3, %r10
                add %r3, -8
                mov %r4, 4
                call 189
                jne %r0, 0, exit
                mov %r1, %r6
                mov %r2, 0
                mov %r3, %r10
                add %r3, -8
                mov %r4, 4
                call 190
                exit
                """;
        for (String off : List.of("26", "60", "61", "0x10000")) {
            c.add(xdp("xdp_load/store_bytes at " + off, loadStore.replace("OFF", off), PKT, null));
        }
        String csum = """
                mov %r1, %r1
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                mov %r4, %r2
                add %r4, 36
                jgt %r4, %r3, out
                mov %r1, %r2
                add %r1, 14
                mov %r2, FROM
                mov %r3, %r1
                add %r3, 4
                mov %r4, TO
                mov %r5, SEED
                call 28
                exit
                out:
                mov %r0, 0
                exit
                """;
        c.add(xdp("csum_diff of 20 bytes against 16", csum.replace("FROM", "20").replace("TO", "16").replace("SEED", "0x1234"), PKT, null));
        c.add(xdp("csum_diff pushing 12 bytes", csum.replace("FROM", "0").replace("TO", "12").replace("SEED", "0xffffffff"), PKT, null));
        c.add(xdp("csum_diff of 6 bytes", csum.replace("FROM", "6").replace("TO", "0").replace("SEED", "0"), PKT, null));
        c.add(xdp("xdp redirect", "mov %r1, 1\nmov %r2, 0\ncall 23\nexit", PKT, null));
        c.add(xdp("xdp redirect with flags", "mov %r1, 1\nmov %r2, 8\ncall 23\nexit", PKT, null));
        c.add(tc("tc redirect ingress", "mov %r1, 1\nmov %r2, 1\ncall 23\nexit", PKT, null));
        c.add(tc("tc redirect with flags", "mov %r1, 1\nmov %r2, 2\ncall 23\nexit", PKT, null));
        // refusals
        c.add(xdp("13 bytes", "mov %r0, 2\nexit", new byte[13], null));
        c.add(xdp("the largest linear packet", "mov %r0, 2\nexit", new byte[3520], null));
        c.add(xdp("ENOSPC", "mov %r0, 2\nexit", PKT, null).room(10));
        c.add(xdp("data_meta in ctx_in", "mov %r0, 2\nexit", PKT, le32(0, 64, 4, 0, 0, 0)));
        c.add(xdp("data_end past the input", "mov %r0, 2\nexit", PKT, le32(0, 68, 0, 0, 0, 0)));
        c.add(xdp("metadata leaves less than an Ethernet header", "mov %r0, 2\nexit", Arrays.copyOf(PKT, 20), le32(8, 20, 0, 0, 0, 0)));
        c.add(xdp("unaligned metadata", "mov %r0, 2\nexit", PKT, le32(6, 64, 0, 0, 0, 0)));
        c.add(xdp("egress_ifindex", "mov %r0, 2\nexit", PKT, le32(0, 64, 0, 0, 0, 3)));
        c.add(xdp("queue without device", "mov %r0, 2\nexit", PKT, le32(0, 64, 0, 0, 1, 0)));
        c.add(xdp("second loopback queue", "mov %r0, 2\nexit", PKT, le32(0, 64, 0, 1, 1, 0)));
        c.add(xdp("non-zero tail of ctx_in", "mov %r0, 2\nexit", PKT, Arrays.copyOf(le32(0, 64, 0, 0, 0, 0, 0, 7), 32)));

        // socket buffers
        int[] fields = {ContextLayouts.SKB_LEN, ContextLayouts.SKB_PKT_TYPE, ContextLayouts.SKB_MARK, ContextLayouts.SKB_QUEUE_MAPPING,
            ContextLayouts.SKB_PROTOCOL, ContextLayouts.SKB_VLAN_PRESENT, ContextLayouts.SKB_PRIORITY, ContextLayouts.SKB_INGRESS_IFINDEX,
            ContextLayouts.SKB_IFINDEX, ContextLayouts.SKB_TC_INDEX, ContextLayouts.SKB_CB, ContextLayouts.SKB_CB + 16, ContextLayouts.SKB_HASH,
            ContextLayouts.SKB_TC_CLASSID, ContextLayouts.SKB_NAPI_ID, ContextLayouts.SKB_WIRE_LEN, ContextLayouts.SKB_GSO_SEGS,
            ContextLayouts.SKB_GSO_SIZE};
        byte[] skb = skb(ContextLayouts.SKB_MARK, 7, ContextLayouts.SKB_PRIORITY, 3, ContextLayouts.SKB_INGRESS_IFINDEX, 9,
                ContextLayouts.SKB_IFINDEX, 1, ContextLayouts.SKB_CB + 16, 11, ContextLayouts.SKB_GSO_SEGS, 4, ContextLayouts.SKB_GSO_SIZE, 1400);
        for (int f : fields) {
            c.add(tc("tc field " + f, field(f), PKT, null));
            c.add(tc("tc field " + f + " with ctx_in", field(f), PKT, skb));
            if (f != ContextLayouts.SKB_TC_INDEX && f != ContextLayouts.SKB_TC_CLASSID && f != ContextLayouts.SKB_QUEUE_MAPPING) {
                c.add(sf("socket filter field " + f, field(f), PKT, skb));
            }
        }
        for (int f : new int[] {ContextLayouts.SKB_TC_CLASSID, ContextLayouts.SKB_WIRE_LEN, ContextLayouts.SKB_VIEW_DATA}) {
            c.add(sf("socket filters may not read field " + f, field(f), PKT, null));
        }
        c.add(sf("socket filters may not read tstamp", "ldxdw %r0, [%r1+152]\nexit", PKT, null));
        c.add(sf("socket filters may not write mark", "stw [%r1+8], 1\nmov %r0, 0\nexit", PKT, null));
        c.add(tc("tc may read hwtstamp", "ldxdw %r0, [%r1+184]\nexit", PKT, null));
        c.add(tc("tc first packet byte", "ldxw %r2, [%r1+76]\nldxw %r3, [%r1+80]\nmov %r0, 0\nmov %r4, %r2\nadd %r4, 1\njgt %r4, %r3, exit\nldxb %r0, [%r2+0]\nexit",
                PKT, null));
        byte[] multicast = PKT.clone();
        multicast[0] = 1;
        byte[] toHost = PKT.clone();
        Arrays.fill(toHost, 0, 6, (byte) 0);
        byte[] broadcast = PKT.clone();
        Arrays.fill(broadcast, 0, 6, (byte) 0xff);
        byte[] llc = PKT.clone();
        llc[12] = 0;
        llc[13] = 0x40;
        byte[] raw8023 = llc.clone();
        raw8023[14] = (byte) 0xff;
        raw8023[15] = (byte) 0xff;
        for (byte[] frame : new byte[][] {multicast, toHost, broadcast}) {
            c.add(tc("pkt_type of " + HexFrame.mac(frame), field(ContextLayouts.SKB_PKT_TYPE), frame, null));
        }
        c.add(tc("protocol of an 802.2 frame", field(ContextLayouts.SKB_PROTOCOL), llc, null));
        c.add(tc("protocol of a raw 802.3 frame", field(ContextLayouts.SKB_PROTOCOL), raw8023, null));
        String writes = """
                mov %r2, 42
                stxw [%r1+8], %r2
                mov %r2, 6
                stxw [%r1+32], %r2
                mov %r2, 77
                stxw [%r1+48], %r2
                mov %r2, 5
                stxw [%r1+44], %r2
                mov %r0, 0
                exit
                """;
        c.add(tc("tc context writes come back in ctx_out", writes, PKT, skb));
        c.add(sf("a socket filter's packet out", field(ContextLayouts.SKB_LEN), PKT, null));
        String loadBytes = """
                mov %r2, OFF
                mov %r3, %r10
                add %r3, -8
                mov %r4, 4
                call 26
                jne %r0, 0, exit
                ldxw %r0, [%r10-8]
                exit
                """;
        for (String off : List.of("12", "46", "47")) {
            c.add(sf("socket filter skb_load_bytes at " + off, loadBytes.replace("OFF", off), PKT, null));
            c.add(tc("tc skb_load_bytes at " + off, loadBytes.replace("OFF", off), PKT, null));
        }
        String storeBytes = """
                mov %r6, %r1
                stw [%r10-8], 0x01020304
                mov %r2, OFF
                mov %r3, %r10
                add %r3, -8
                mov %r4, 4
                mov %r5, FLAGS
                call 9
                exit
                """;
        for (String off : List.of("0", "60", "61")) {
            c.add(tc("skb_store_bytes at " + off, storeBytes.replace("OFF", off).replace("FLAGS", "0"), PKT, null));
        }
        c.add(tc("skb_store_bytes with a bad flag", storeBytes.replace("OFF", "0").replace("FLAGS", "4"), PKT, null));
        c.add(tc("skb_pull_data 64", call(39, 64), PKT, null));
        c.add(tc("skb_pull_data 65", call(39, 65), PKT, null));
        c.add(tc("ctx_in sets len", "mov %r0, 0\nexit", PKT, skb(ContextLayouts.SKB_LEN, 10)));
        c.add(tc("ctx_in names a device that does not exist", "mov %r0, 0\nexit", PKT, skb(ContextLayouts.SKB_IFINDEX, 999_999)));
        c.add(tc("ctx_in wire_len below len", "mov %r0, 0\nexit", PKT, skb(ContextLayouts.SKB_WIRE_LEN, 10)));
        c.add(tc("ctx_in gso_segs too many", "mov %r0, 0\nexit", PKT, skb(ContextLayouts.SKB_GSO_SEGS, 65536)));
        c.add(tc("frame of 13 bytes", "mov %r0, 0\nexit", new byte[13], null));
        c.add(tc("frame of 3713 bytes", "mov %r0, 0\nexit", new byte[3713], null));
        c.add(tc("the largest frame", "mov %r0, 0\nexit", new byte[3712], null));
        return c;
    }

    private static byte[] skb(int... offsetValuePairs) {
        ByteBuffer b = ByteBuffer.allocate(ContextLayouts.SKB_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < offsetValuePairs.length; i += 2) {
            b.putInt(offsetValuePairs[i], offsetValuePairs[i + 1]);
        }
        return b.array();
    }

    /** What a run gave: a result, or the errno it failed with. */
    private record Outcome(Errno errno, long retval, byte[] dataOut, byte[] ctxOut) {
    }

    @TestFactory
    Stream<DynamicTest> testRunsMatchTheKernel() {
        return ObjectRunTest.engines(runtime).stream().flatMap(engine -> cases().stream().map(c -> DynamicTest.dynamicTest(
                engine + ": " + c.name() + " (" + c.type() + ")", () -> {
            KernelBpf.Availability a = KernelBpf.availability();
            assumeTrue(a.available(), a.reason());
            Outcome kernel = inKernel(c);
            Outcome here = here(c, engine);
            assertEquals(kernel.errno(), here.errno(), c.name() + ": errno");
            assertEquals(kernel.retval(), here.retval(), c.name() + ": return value");
            assertArrayEquals(kernel.dataOut(), here.dataOut(), c.name() + ": packet out");
            assertArrayEquals(kernel.ctxOut(), here.ctxOut(), c.name() + ": context out");
        })));
    }

    private static Outcome inKernel(Case c) {
        int fd;
        try {
            fd = KernelBpf.progLoad(new KernelBpf.ProgLoad(c.type(), Assembler.assemble(c.asm()), "GPL", 0, 1));
        } catch (BpfException e) {
            return new Outcome(e.errno(), -1, new byte[0], new byte[0]);
        }
        try {
            KernelBpf.TestRun r = KernelBpf.testRun(fd, c.data(), c.ctx(), 1, c.dataRoom() > 0 ? c.dataRoom() : 8192);
            return new Outcome(null, Integer.toUnsignedLong(r.retval()), r.dataOut(), r.ctxOut());
        } catch (BpfException e) {
            return new Outcome(e.errno(), 0, new byte[0], new byte[0]);
        } finally {
            KernelBpf.close(fd);
        }
    }

    private static Outcome here(Case c, String engine) {
        BpfProgram p;
        try {
            p = runtime.progLoad(ProgSpec.builder(c.type(), Assembler.assemble(c.asm())).name("ctx").license("GPL").engine(engine).build());
        } catch (BpfException e) {
            return new Outcome(e.errno(), -1, new byte[0], new byte[0]);
        }
        try (p) {
            TestRunResult r = p.testRun(new TestRunSpec(c.data(), c.ctx(), 1, 0, c.dataRoom(), 0));
            return new Outcome(null, r.retval(), r.dataOut(), r.ctxOut());
        } catch (BpfException e) {
            return new Outcome(e.errno(), 0, new byte[0], new byte[0]);
        }
    }

    /** Frames in test names. */
    private static final class HexFrame {
        static String mac(byte[] frame) {
            return java.util.HexFormat.ofDelimiter(":").formatHex(frame, 0, 6);
        }
    }
}
