package org.bpfsdt.core.context;

import static org.bpfsdt.core.context.TestRuns.le32;
import static org.bpfsdt.core.context.TestRuns.packet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * XDP test runs as the kernel's {@code bpf_prog_test_run_xdp}: the frame's headroom and
 * tailroom, the XDP helpers' limits inside it, {@code ctx_in}/{@code ctx_out}, metadata, and the
 * refusals. Programs read the native {@code xdp_buff} (data @0, data_end @8, data_meta @16,
 * data_hard_start @24, ingress_ifindex @32, rx_queue_index @36).
 */
class XdpContextsTest {
    private final TestRuns t = new TestRuns();

    @AfterEach
    void close() {
        t.close();
        assertEquals(0, t.runtime.heap().liveAllocations());
    }

    /** Calls helper {@code id} with (ctx, {@code arg}) and returns its result. */
    private BpfProgram helper(int id, long arg) {
        return t.load(ProgramType.XDP, "mov %r6, %r1\nlddw %r2, " + arg + "\ncall " + id + "\nexit");
    }

    private static TestRunSpec data(byte[] d) {
        return TestRunSpec.data(d);
    }

    /** The u32 the native context expression {@code asm} leaves in r0 (r1 = the context). */
    private long read(String asm) {
        try (BpfProgram p = t.load(ProgramType.XDP, asm + "\nexit")) {
            return p.testRun(data(packet())).retval();
        }
    }

    @Test
    void thePacketSitsAfterTheKernelsHeadroomOnTheLoopbackDevice() {
        assertEquals(64, read("ldxdw %r0, [%r1+8]\nldxdw %r2, [%r1+0]\nsub %r0, %r2"), "data_end - data");
        assertEquals(XdpContexts.HEADROOM, read("ldxdw %r0, [%r1+0]\nldxdw %r2, [%r1+24]\nsub %r0, %r2"), "XDP_PACKET_HEADROOM");
        assertEquals(0, read("ldxdw %r0, [%r1+0]\nldxdw %r2, [%r1+16]\nsub %r0, %r2"), "no metadata");
        assertEquals(1, read("ldxw %r0, [%r1+32]"), "ingress_ifindex: the loopback device");
        assertEquals(0, read("ldxw %r0, [%r1+36]"), "rx_queue_index 0");
        assertEquals(4096, read("ldxw %r0, [%r1+44]"), "frame_sz");
        try (BpfProgram p = t.load(ProgramType.XDP, "mov %r0, 2\nexit")) {
            TestRunResult r = p.testRun(data(packet()));
            assertArrayEquals(packet(), r.dataOut());
            assertEquals(0, r.ctxOut().length, "no ctx_in: no ctx_out");
            assertEquals("interpreter", r.engine());
        }
    }

    @Test
    void dataMustHoldAnEthernetHeaderAndFitTheLinearBuffer() {
        try (BpfProgram p = t.load(ProgramType.XDP, "mov %r0, 2\nexit")) {
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> p.testRun(data(new byte[13]))).errno());
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> p.testRun(TestRunSpec.ctx(null))).errno());
            assertEquals(2, p.testRun(data(new byte[14])).retval());
            assertEquals(2, p.testRun(data(new byte[XdpContexts.MAX_LINEAR])).retval());
            assertEquals(Errno.EOPNOTSUPP, assertThrows(BpfException.class, () -> p.testRun(data(new byte[XdpContexts.MAX_LINEAR + 1]))).errno());
        }
    }

    @Test
    void adjustHeadStopsAtTheXdpFrameAndAtAnEthernetHeader() {
        byte[] pkt = packet();
        try (BpfProgram strip = helper(44, 14)) {
            TestRunResult r = strip.testRun(data(pkt));
            assertEquals(0, r.retval());
            assertArrayEquals(Arrays.copyOfRange(pkt, 14, 64), r.dataOut());
        }
        // 256 bytes of headroom, of which the kernel keeps 40 for its struct xdp_frame
        try (BpfProgram grow = helper(44, -216); BpfProgram tooFar = helper(44, -217)) {
            TestRunResult r = grow.testRun(data(pkt));
            assertEquals(0, r.retval());
            assertEquals(64 + 216, r.dataOut().length);
            assertArrayEquals(pkt, Arrays.copyOfRange(r.dataOut(), 216, 216 + 64));
            assertEquals(-Errno.EINVAL.code(), (int) tooFar.testRun(data(pkt)).retval());
        }
        try (BpfProgram leaves14 = helper(44, 50); BpfProgram leaves13 = helper(44, 51)) {
            assertEquals(0, leaves14.testRun(data(pkt)).retval());
            assertEquals(-Errno.EINVAL.code(), (int) leaves13.testRun(data(pkt)).retval());
        }
    }

    @Test
    void adjustTailGrowsWithZerosUpToTheTailroomAndShrinksToAnEthernetHeader() {
        byte[] pkt = packet();
        int room = 4096 - 320 - XdpContexts.HEADROOM - 64;
        try (BpfProgram grow = helper(65, room); BpfProgram tooFar = helper(65, room + 1)) {
            TestRunResult r = grow.testRun(data(pkt));
            assertEquals(0, r.retval());
            assertEquals(64 + room, r.dataOut().length);
            assertArrayEquals(new byte[room], Arrays.copyOfRange(r.dataOut(), 64, 64 + room), "grown bytes read as zeros");
            assertEquals(-Errno.EINVAL.code(), (int) tooFar.testRun(data(pkt)).retval());
        }
        try (BpfProgram to14 = helper(65, -50); BpfProgram to13 = helper(65, -51)) {
            TestRunResult r = to14.testRun(data(pkt));
            assertArrayEquals(Arrays.copyOf(pkt, 14), r.dataOut());
            assertEquals(-Errno.EINVAL.code(), (int) to13.testRun(data(pkt)).retval());
        }
    }

    @Test
    void adjustMetaIsFourByteAlignedAndStaysClearOfTheFrame() {
        byte[] pkt = packet();
        try (BpfProgram four = helper(54, -4); BpfProgram three = helper(54, -3); BpfProgram tooFar = helper(54, -220);
             BpfProgram past = helper(54, 4)) {
            TestRunResult r = four.testRun(data(pkt));
            assertEquals(0, r.retval());
            assertEquals(68, r.dataOut().length, "the packet out starts at the metadata");
            assertEquals(-Errno.EACCES.code(), (int) three.testRun(data(pkt)).retval());
            assertEquals(-Errno.EINVAL.code(), (int) tooFar.testRun(data(pkt)).retval());
            assertEquals(-Errno.EINVAL.code(), (int) past.testRun(data(pkt)).retval(), "metadata cannot start after data");
        }
    }

    @Test
    void ctxInPutsMetadataInFrontOfThePacketAndCtxOutReportsTheNewBounds() {
        byte[] in = new byte[8 + 64];
        Arrays.fill(in, 0, 8, (byte) 0xaa);
        System.arraycopy(packet(), 0, in, 8, 64);
        byte[] md = le32(8, in.length, 0, 0, 0, 0);
        try (BpfProgram metaLen = t.load(ProgramType.XDP, "ldxdw %r0, [%r1+0]\nldxdw %r2, [%r1+16]\nsub %r0, %r2\nexit");
             BpfProgram strip = helper(44, 14)) {
            TestRunResult r = metaLen.testRun(data(in).withCtx(md));
            assertEquals(8, r.retval());
            assertArrayEquals(in, r.dataOut());
            assertArrayEquals(md, r.ctxOut());
            // the metadata moves with the head: still 8 bytes in front of the packet
            TestRunResult s = strip.testRun(data(in).withCtx(md));
            assertEquals(0, s.retval());
            assertArrayEquals(le32(8, 8 + 50, 0, 0, 0, 0), s.ctxOut());
            assertArrayEquals(Arrays.copyOfRange(in, 0, 8), Arrays.copyOf(s.dataOut(), 8));
            assertArrayEquals(Arrays.copyOfRange(in, 8 + 14, in.length), Arrays.copyOfRange(s.dataOut(), 8, s.dataOut().length));
        }
    }

    @Test
    void ctxInFollowsTheKernelsRules() {
        byte[] pkt = packet();
        try (BpfProgram p = t.load(ProgramType.XDP, "ldxw %r0, [%r1+32]\nldxw %r1, [%r1+36]\nlsh %r1, 8\nor %r0, %r1\nexit")) {
            assertEquals(1, p.testRun(data(pkt).withCtx(le32(0, 64, 0, 1, 0, 0))).retval(), "ingress_ifindex 1 names the loopback device");
            assertEquals(1, p.testRun(data(pkt).withCtx(le32(0, 64, 0, 0, 0, 0))).retval(), "0: the default device");
            record Bad(String why, byte[] md, Errno errno) {
            }
            for (Bad b : new Bad[] {
                new Bad("data_meta set", le32(0, 64, 4, 0, 0, 0), Errno.EINVAL),
                new Bad("data_end past the input", le32(0, 68, 0, 0, 0, 0), Errno.EINVAL),
                new Bad("data_end short of the input: fragments", le32(0, 60, 0, 0, 0, 0), Errno.EOPNOTSUPP),
                new Bad("data past data_end", le32(68, 64, 0, 0, 0, 0), Errno.EINVAL),
                new Bad("metadata not a multiple of 4", le32(6, 64, 0, 0, 0, 0), Errno.EINVAL),
                new Bad("egress_ifindex set", le32(0, 64, 0, 0, 0, 3), Errno.EINVAL),
                new Bad("queue without device", le32(0, 64, 0, 0, 1, 0), Errno.EINVAL),
                new Bad("unknown device", le32(0, 64, 0, 5, 0, 0), Errno.ENODEV),
                new Bad("loopback has one queue", le32(0, 64, 0, 1, 1, 0), Errno.EINVAL),
                new Bad("non-zero bytes past struct xdp_md", Arrays.copyOf(le32(0, 64, 0, 0, 0, 0, 0, 7), 32), Errno.E2BIG)}) {
                BpfException e = assertThrows(BpfException.class, () -> p.testRun(data(pkt).withCtx(b.md())), b.why());
                assertEquals(b.errno(), e.errno(), b.why() + ": " + e.getMessage());
            }
            assertEquals(1, p.testRun(data(pkt).withCtx(Arrays.copyOf(le32(0, 64, 0, 1, 0, 0), 40))).retval(), "zeros past the struct are fine");
        }
    }

    @Test
    void loadAndStoreBytesStayInsideThePacket() {
        byte[] pkt = packet();
        // copies 4 bytes at OFF to the stack and writes them back at offset 0; returns the first failure
        String asm = """
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
        try (BpfProgram ok = t.load(ProgramType.XDP, asm.replace("OFF", "26"));
             BpfProgram past = t.load(ProgramType.XDP, asm.replace("OFF", "61"));
             BpfProgram huge = t.load(ProgramType.XDP, asm.replace("OFF", "0x10000"))) {
            TestRunResult r = ok.testRun(data(pkt));
            assertEquals(0, r.retval());
            assertArrayEquals(Arrays.copyOfRange(pkt, 26, 30), Arrays.copyOf(r.dataOut(), 4));
            assertEquals(-Errno.EINVAL.code(), (int) past.testRun(data(pkt)).retval());
            assertEquals(-Errno.EFAULT.code(), (int) huge.testRun(data(pkt)).retval());
        }
        try (BpfProgram len = helper(188, 0)) {
            assertEquals(64, len.testRun(data(pkt)).retval());
        }
    }

    @Test
    void repeatedRunsShareOnePacketAsTheKernelsDo() {
        try (BpfProgram strip = helper(44, 1)) {
            TestRunResult r = strip.testRun(data(packet()).repeat(5));
            assertEquals(64 - 5, r.dataOut().length, "each run moved the same packet's head");
            assertTrue(r.durationNs() >= 0);
        }
    }

    @Test
    void aJitRunsTheBatchThroughItsBatchEntry() {
        t.runtime.addJit(t.jit, Map.of());
        try (BpfProgram p = helper(188, 0)) {
            assertEquals("x86_64", p.engine());
            TestRunResult r = p.testRun(data(packet()).repeat(1000));
            assertEquals(64, r.retval());
            assertEquals("x86_64", r.engine());
            assertEquals(1, t.jit.batches.get(), "one batch, looped inside the engine");
        }
    }

    @Test
    void tooLittleRoomForTheOutputIsEnospc() {
        try (BpfProgram p = t.load(ProgramType.XDP, "mov %r0, 2\nexit")) {
            BpfException e = assertThrows(BpfException.class, () -> p.testRun(data(packet()).withOutputSizes(10, 0)));
            assertEquals(Errno.ENOSPC, e.errno());
            assertEquals(64, p.testRun(data(packet()).withOutputSizes(64, 0)).dataOut().length);
            byte[] md = le32(0, 64, 0, 0, 0, 0);
            assertEquals(Errno.ENOSPC, assertThrows(BpfException.class, () -> p.testRun(data(packet()).withCtx(md).withOutputSizes(0, 20))).errno());
        }
    }

    @Test
    void flagsOtherThanLiveFramesAreRefused() {
        try (BpfProgram p = t.load(ProgramType.XDP, "mov %r0, 2\nexit")) {
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> p.testRun(data(packet()).withFlags(TestRunSpec.F_RUN_ON_CPU))).errno());
            assertEquals(Errno.EOPNOTSUPP, assertThrows(BpfException.class,
                    () -> p.testRun(data(packet()).withFlags(TestRunSpec.F_XDP_LIVE_FRAMES))).errno());
        }
    }
}
