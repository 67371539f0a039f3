package org.bpfsdt.core.context;

import static org.bpfsdt.core.context.TestRuns.packet;
import static org.bpfsdt.core.context.TestRuns.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.spi.ContextLayouts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Socket-buffer test runs as the kernel's {@code bpf_prog_test_run_skb}: what {@code eth_type_trans}
 * on the loopback device sets, where a TC program's and a socket filter's packet starts,
 * {@code ctx_in}/{@code ctx_out}, and {@code bpf_skb_load_bytes}. Programs read the native
 * {@code __sk_buff} (scalars at their own offsets, data @192, data_end @200).
 */
class SkbContextsTest {
    private final TestRuns t = new TestRuns();

    @AfterEach
    void close() {
        t.close();
        assertEquals(0, t.runtime.heap().liveAllocations());
    }

    /** Returns the u32 field at {@code off} of the native socket buffer. */
    private BpfProgram field(ProgramType type, int off) {
        return t.load(type, "ldxw %r0, [%r1+" + off + "]\nexit");
    }

    /** Returns the first packet byte. */
    private BpfProgram firstByte(ProgramType type) {
        return t.load(type, "ldxdw %r1, [%r1+192]\nldxb %r0, [%r1+0]\nexit");
    }

    private static TestRunSpec data(byte[] d) {
        return TestRunSpec.data(d);
    }

    private static byte[] skb(int... offsetValuePairs) {
        ByteBuffer b = ByteBuffer.allocate(ContextLayouts.SKB_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < offsetValuePairs.length; i += 2) {
            b.putInt(offsetValuePairs[i], offsetValuePairs[i + 1]);
        }
        return b.array();
    }

    @Test
    void tcProgramsSeeTheWholeFrameAndSocketFiltersTheNetworkPacket() {
        byte[] pkt = packet();
        try (BpfProgram tcLen = field(ProgramType.SCHED_CLS, ContextLayouts.SKB_LEN);
             BpfProgram sfLen = field(ProgramType.SOCKET_FILTER, ContextLayouts.SKB_LEN);
             BpfProgram tcFirst = firstByte(ProgramType.SCHED_CLS);
             BpfProgram sfFirst = firstByte(ProgramType.SOCKET_FILTER)) {
            assertEquals(64, tcLen.testRun(data(pkt)).retval());
            assertEquals(50, sfLen.testRun(data(pkt)).retval());
            assertEquals(0x02, tcFirst.testRun(data(pkt)).retval(), "the destination MAC's first byte");
            assertEquals(0x45, sfFirst.testRun(data(pkt)).retval(), "the IPv4 version/IHL byte");
            assertArrayEquals(pkt, tcLen.testRun(data(pkt)).dataOut());
            byte[] expected = pkt.clone();
            Arrays.fill(expected, 0, 14, (byte) 0);
            assertArrayEquals(expected, sfLen.testRun(data(pkt)).dataOut(), "a socket filter's frame comes back with a zeroed Ethernet header");
        }
    }

    @Test
    void ethTypeTransSetsProtocolAndPacketTypeForTheLoopbackDevice() {
        byte[] pkt = packet();
        try (BpfProgram proto = field(ProgramType.SCHED_CLS, ContextLayouts.SKB_PROTOCOL);
             BpfProgram type = field(ProgramType.SCHED_CLS, ContextLayouts.SKB_PKT_TYPE);
             BpfProgram ifindex = field(ProgramType.SCHED_CLS, ContextLayouts.SKB_IFINDEX)) {
            assertEquals(0x0008, proto.testRun(data(pkt)).retval(), "ETH_P_IP in network byte order");
            assertEquals(3, type.testRun(data(pkt)).retval(), "PACKET_OTHERHOST: not the loopback's address");
            assertEquals(1, ifindex.testRun(data(pkt)).retval());
            byte[] toLoopback = pkt.clone();
            Arrays.fill(toLoopback, 0, 6, (byte) 0);
            assertEquals(0, type.testRun(data(toLoopback)).retval(), "PACKET_HOST");
            byte[] multicast = pkt.clone();
            multicast[0] = 0x01;
            assertEquals(2, type.testRun(data(multicast)).retval(), "PACKET_MULTICAST");
            byte[] ieee8023 = pkt.clone();
            ieee8023[12] = 0;
            ieee8023[13] = 0x40;
            assertEquals(0x0400, proto.testRun(data(ieee8023)).retval(), "a length field: ETH_P_802_2");
            ieee8023[14] = (byte) 0xff;
            ieee8023[15] = (byte) 0xff;
            assertEquals(0x0100, proto.testRun(data(ieee8023)).retval(), "raw 802.3 (0xffff after the header): ETH_P_802_3");
        }
    }

    @Test
    void ctxInSetsWhatTheKernelAllowsAndCtxOutReportsItBack() {
        // the program sets mark = 42 and cb[0] = len, and returns priority + ingress_ifindex * 1000
        try (BpfProgram p = t.load(ProgramType.SCHED_CLS, """
                stw [%r1+8], 42
                ldxw %r2, [%r1+0]
                stxw [%r1+48], %r2
                ldxw %r0, [%r1+32]
                ldxw %r2, [%r1+36]
                mul %r2, 1000
                add %r0, %r2
                exit
                """)) {
            byte[] in = skb(ContextLayouts.SKB_MARK, 7, ContextLayouts.SKB_PRIORITY, 5, ContextLayouts.SKB_INGRESS_IFINDEX, 3,
                    ContextLayouts.SKB_CB + 4, 99);
            TestRunResult r = p.testRun(data(packet()).withCtx(in));
            assertEquals(3005, r.retval());
            byte[] out = r.ctxOut();
            assertEquals(ContextLayouts.SKB_SIZE, out.length);
            assertEquals(42, u32(out, ContextLayouts.SKB_MARK));
            assertEquals(5, u32(out, ContextLayouts.SKB_PRIORITY));
            assertEquals(64, u32(out, ContextLayouts.SKB_CB));
            assertEquals(99, u32(out, ContextLayouts.SKB_CB + 4));
            assertEquals(1, u32(out, ContextLayouts.SKB_IFINDEX), "the loopback device");
            assertEquals(64, u32(out, ContextLayouts.SKB_WIRE_LEN), "wire_len 0 in: the packet's length");
            assertEquals(0, u32(out, ContextLayouts.SKB_LEN), "len is not reported back");
        }
    }

    @Test
    void ctxInFollowsTheKernelsRules() {
        try (BpfProgram p = t.load(ProgramType.SCHED_CLS, "mov %r0, 0\nexit")) {
            record Bad(String why, byte[] ctx, Errno errno) {
            }
            byte[] tail = Arrays.copyOf(skb(), 200);
            tail[196] = 1;
            for (Bad b : new Bad[] {
                new Bad("len is not settable", skb(ContextLayouts.SKB_LEN, 10), Errno.EINVAL),
                new Bad("protocol is not settable", skb(ContextLayouts.SKB_PROTOCOL, 8), Errno.EINVAL),
                new Bad("hash is not settable", skb(ContextLayouts.SKB_HASH, 1), Errno.EINVAL),
                new Bad("no device 2", skb(ContextLayouts.SKB_IFINDEX, 2), Errno.ENODEV),
                new Bad("wire_len below len", skb(ContextLayouts.SKB_WIRE_LEN, 10), Errno.EINVAL),
                new Bad("wire_len above GSO_LEGACY_MAX_SIZE", skb(ContextLayouts.SKB_WIRE_LEN, 70000), Errno.EINVAL),
                new Bad("too many segments", skb(ContextLayouts.SKB_GSO_SEGS, 65536), Errno.EINVAL),
                new Bad("non-zero bytes past struct __sk_buff", tail, Errno.E2BIG)}) {
                BpfException e = assertThrows(BpfException.class, () -> p.testRun(data(packet()).withCtx(b.ctx())), b.why());
                assertEquals(b.errno(), e.errno(), b.why() + ": " + e.getMessage());
            }
            assertEquals(0, p.testRun(data(packet()).withCtx(skb(ContextLayouts.SKB_IFINDEX, 1, ContextLayouts.SKB_WIRE_LEN, 1500,
                    ContextLayouts.SKB_GSO_SEGS, 2, ContextLayouts.SKB_GSO_SIZE, 1400))).retval());
        }
    }

    @Test
    void framesMustBeBetweenAnEthernetHeaderAndWhatAPageHolds() {
        try (BpfProgram p = t.load(ProgramType.SOCKET_FILTER, "mov %r0, 0\nexit")) {
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> p.testRun(data(new byte[13]))).errno());
            assertEquals(0, p.testRun(data(new byte[SkbContexts.MAX_FRAME])).retval());
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> p.testRun(data(new byte[SkbContexts.MAX_FRAME + 1]))).errno());
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> p.testRun(data(packet()).withFlags(1))).errno());
            assertEquals(Errno.EOPNOTSUPP, assertThrows(BpfException.class,
                    () -> p.testRun(data(packet()).withFlags(TestRunSpec.F_SKB_CHECKSUM_COMPLETE))).errno());
        }
    }

    @Test
    void skbLoadBytesCountsFromDataAndZeroesTheBufferWhenOutOfRange() {
        // loads 4 bytes at OFF to the stack (pre-filled with 0xff); returns the helper's result (ERR) or the bytes (WORD)
        String asm = """
                lddw %r2, 0xffffffffffffffff
                stxdw [%r10-8], %r2
                mov %r2, OFF
                mov %r3, %r10
                add %r3, -8
                mov %r4, 4
                call 26
                RESULT
                exit
                """;
        String word = "ldxw %r0, [%r10-8]";
        byte[] pkt = packet();
        try (BpfProgram tc = t.load(ProgramType.SCHED_CLS, asm.replace("OFF", "26").replace("RESULT", word));
             BpfProgram sf = t.load(ProgramType.SOCKET_FILTER, asm.replace("OFF", "12").replace("RESULT", word));
             BpfProgram pastErr = t.load(ProgramType.SOCKET_FILTER, asm.replace("OFF", "47").replace("RESULT", ""));
             BpfProgram pastWord = t.load(ProgramType.SOCKET_FILTER, asm.replace("OFF", "47").replace("RESULT", word))) {
            int saddr = ByteBuffer.wrap(pkt, 26, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            assertEquals(Integer.toUnsignedLong(saddr), tc.testRun(data(pkt)).retval(), "TC offsets count from the Ethernet header");
            assertEquals(Integer.toUnsignedLong(saddr), sf.testRun(data(pkt)).retval(), "socket filter offsets from the IP header");
            assertEquals(-Errno.EFAULT.code(), (int) pastErr.testRun(data(pkt)).retval());
            assertEquals(0, pastWord.testRun(data(pkt)).retval(), "the buffer is zeroed");
        }
    }
}
