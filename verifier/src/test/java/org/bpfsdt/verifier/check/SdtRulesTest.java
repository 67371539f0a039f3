package org.bpfsdt.verifier.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfBuilder;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.HelperProtos;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.verifier.BpfVerifier;
import org.junit.jupiter.api.Test;

/**
 * The verifier's SDT rules: an observer's attach target (the seed's {@code check_attach_btf_id}),
 * its context arguments typed from the probe's FUNC_PROTO, and the registers at a target's probe
 * sites.
 */
class SdtRulesTest {
    private static final Btf BTF;
    private static final int INT_INT, U8, S32, XDP_PTR, SKB_PTR, FOO_PTR, STRUCT_XDP, INT_TYPE;

    static {
        BtfBuilder b = new BtfBuilder();
        INT_TYPE = b.integer("int", 4, true);
        int u8 = b.integer("unsigned char", 1, false);
        int u32 = b.integer("__u32", 4, false);
        STRUCT_XDP = b.struct("xdp_md", 24, List.of(BtfBuilder.member("data", u32, 0), BtfBuilder.member("data_end", u32, 4),
                BtfBuilder.member("data_meta", u32, 8), BtfBuilder.member("ingress_ifindex", u32, 12),
                BtfBuilder.member("rx_queue_index", u32, 16), BtfBuilder.member("egress_ifindex", u32, 20)));
        int skb = b.struct("__sk_buff", 192, List.of(BtfBuilder.member("len", u32, 0)));
        int foo = b.struct("foo", 16, List.of(BtfBuilder.member("a", u32, 0)));
        int xdpPtr = b.ptr(STRUCT_XDP);
        int skbPtr = b.ptr(skb);
        int fooPtr = b.ptr(foo);
        INT_INT = proto(b, INT_TYPE, INT_TYPE);
        U8 = proto(b, u8);
        S32 = proto(b, INT_TYPE);
        XDP_PTR = proto(b, xdpPtr);
        SKB_PTR = proto(b, skbPtr);
        FOO_PTR = proto(b, fooPtr);
        BTF = b.build();
    }

    private static int proto(BtfBuilder b, int... params) {
        return b.add(new BtfType.FuncProto(0, java.util.Arrays.stream(params).mapToObj(t -> new BtfType.Param("", t)).toList()));
    }

    private static VerifierResult observer(Btf attachBtf, int attachBtfId, int nrArgs, String asm, MapDescriptor... maps) {
        return new BpfVerifier().verify(new VerifierRequest(ProgramType.TRACING, AttachType.TRACE_SDT, Assembler.assemble(asm),
                List.of(maps), null, List.of(), List.of(), HelperProtos.forProgramType(ProgramType.TRACING),
                ContextLayouts.tracing(nrArgs), attachBtf, attachBtfId, List.of(), true, 1));
    }

    private static BpfException refused(Runnable verify) {
        return assertThrows(BpfException.class, verify::run);
    }

    private static void assertRefused(Errno errno, String message, Runnable verify) {
        BpfException e = refused(verify);
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.reason().contains(message), "'" + message + "' in: " + e.reason());
        assertTrue(e.log().contains(message), "the log says why: " + e.log());
    }

    private static MapDescriptor array(int valueSize) {
        return new MapDescriptor(1, MapType.ARRAY, 4, valueSize, 1, 0, false, null, 0, -1, 0x10000L, 0x20000L, Optional.empty());
    }

    // ---- the observer's attach target ---------------------------------------------------------

    @Test
    void anObserverNeedsItsTargetsBtfAndAFuncProto() {
        String ret0 = "mov %r0, 0\nexit";
        assertRefused(Errno.EINVAL, "SDT observer requires a target program with BTF", () -> observer(null, INT_INT, 2, ret0));
        assertRefused(Errno.EINVAL, "SDT attach_btf_id " + STRUCT_XDP + " is not a FUNC_PROTO", () -> observer(BTF, STRUCT_XDP, 2, ret0));
        assertRefused(Errno.EINVAL, "SDT attach_btf_id 9999 is not a FUNC_PROTO", () -> observer(BTF, 9999, 2, ret0));
        observer(BTF, INT_INT, 2, ret0);
    }

    @Test
    void anObserverReadsItsArgumentsOnlyAndReturnsAnything() {
        observer(BTF, INT_INT, 2, """
                ldxdw %r2, [%r1+0]
                ldxdw %r3, [%r1+8]
                mov %r0, 12345
                exit
                """);
        assertRefused(Errno.EACCES, "invalid bpf_context access off=16 size=8", () -> observer(BTF, INT_INT, 2, """
                ldxdw %r2, [%r1+16]
                mov %r0, 0
                exit
                """));
        assertRefused(Errno.EACCES, "invalid bpf_context access off=0 size=8", () -> observer(BTF, INT_INT, 2, """
                stdw [%r1+0], 1
                mov %r0, 0
                exit
                """));
    }

    /** Indexes a 256-byte map value with the first argument, unchecked. */
    private static final String INDEX_BY_ARG = """
            mov %r6, %r1
            mov %r1, 0
            stxw [%r10-4], %r1
            mov %r2, %r10
            add %r2, -4
            lddw %r1, map[0]
            call 1
            jeq %r0, 0, out
            ldxdw %r2, [%r6+0]
            add %r0, %r2
            ldxb %r0, [%r0+0]
            out:
            mov %r0, 0
            exit
            """;

    @Test
    void integerArgumentsHaveTheirDeclaredWidth() {
        observer(BTF, U8, 1, INDEX_BY_ARG, array(256));
        BpfException e = refused(() -> observer(BTF, S32, 1, INDEX_BY_ARG, array(256)));
        assertEquals(Errno.EINVAL, e.errno()); // the kernel's check_reg_sane_offset gives EINVAL
        assertTrue(e.reason().contains("value -2147483648 makes map_value pointer be out of bounds"), e.reason());
    }

    @Test
    void aContextPointerArgumentReadsTheContextAndGoesToItsHelpers() {
        VerifierResult r = observer(BTF, XDP_PTR, 1, """
                ldxdw %r6, [%r1+0]
                ldxw %r2, [%r6+4]
                ldxw %r3, [%r6+0]
                sub %r2, %r3
                ldxw %r4, [%r6+16]
                mov %r1, %r6
                call 188
                mov %r0, 0
                exit
                """);
        assertEquals(Insn.ldx(Opcodes.DW, 2, 6, ContextLayouts.XDP_DATA_END), r.insns().get(1), "data_end is read natively, whole");
        assertEquals(Insn.ldx(Opcodes.DW, 3, 6, ContextLayouts.XDP_DATA), r.insns().get(2));
        assertEquals(Insn.ldx(Opcodes.W, 4, 6, ContextLayouts.XDP_RX_QUEUE_INDEX), r.insns().get(4));
        assertRefused(Errno.EACCES, "only read is supported", () -> observer(BTF, XDP_PTR, 1, """
                ldxdw %r6, [%r1+0]
                stw [%r6+16], 1
                mov %r0, 0
                exit
                """));
        assertRefused(Errno.EACCES, "invalid read of struct xdp_md off=24 size=4", () -> observer(BTF, XDP_PTR, 1, """
                ldxdw %r6, [%r1+0]
                ldxw %r2, [%r6+24]
                mov %r0, 0
                exit
                """));
        assertRefused(Errno.EACCES, "must point to the start of struct xdp_md", () -> observer(BTF, XDP_PTR, 1, """
                ldxdw %r1, [%r1+0]
                add %r1, 4
                call 188
                mov %r0, 0
                exit
                """));
    }

    @Test
    void helpersGetOnlyTheContextTheyRead() {
        assertRefused(Errno.EACCES, "bpf_xdp_get_buff_len does not read a struct __sk_buff", () -> observer(BTF, SKB_PTR, 1, """
                ldxdw %r1, [%r1+0]
                call 188
                mov %r0, 0
                exit
                """));
        assertRefused(Errno.EACCES, "R1 type=scalar expected=ctx", () -> observer(BTF, FOO_PTR, 1, """
                ldxdw %r1, [%r1+0]
                call 188
                mov %r0, 0
                exit
                """));
    }

    // ---- a target's probe sites ---------------------------------------------------------------

    private static VerifierResult target(ProgramType type, int proto, int[] regs, String asm) {
        List<Insn> insns = Assembler.assemble(asm);
        int site = insns.indexOf(Insn.ja(0));
        SdtProbe probe = new SdtProbe("p", site, site, proto, regs);
        return new BpfVerifier().verify(new VerifierRequest(type, null, insns, List.of(), BTF, List.of(), List.of(),
                HelperProtos.forProgramType(type), ContextLayouts.forType(type, 5), null, 0, List.of(probe), true, 1));
    }

    @Test
    void aProbeSiteHoldsTheDeclaredValues() {
        VerifierResult r = target(ProgramType.XDP, INT_INT, new int[] {2, 3}, """
                ldxw %r2, [%r1+12]
                mov %r3, 2
                ja +0
                mov %r0, 2
                exit
                """);
        assertEquals(Insn.ja(0), r.insns().get(2), "the NOP is kept");
        assertEquals(2, r.sdtProbes().get(0).xlatedOff());
        assertRefused(Errno.EACCES, "SDT probe 'p' argument 1: R1 leaks addr into an observer (it is ctx, the probe declares 'int')",
                () -> target(ProgramType.XDP, INT_INT, new int[] {2, 1}, """
                        mov %r2, 1
                        ja +0
                        mov %r0, 2
                        exit
                        """));
        assertRefused(Errno.EACCES, "SDT probe 'p' argument 1: R3 !read_ok", () -> target(ProgramType.XDP, INT_INT, new int[] {2, 3}, """
                mov %r2, 1
                ja +0
                mov %r0, 2
                exit
                """));
    }

    @Test
    void aContextPointerArgumentIsTheProgramsOwnContext() {
        target(ProgramType.XDP, XDP_PTR, new int[] {1}, "ja +0\nmov %r0, 2\nexit");
        assertRefused(Errno.EACCES, "argument 0: R2 is scalar; an argument declared 'struct xdp_md *' must be the program's unmodified context (struct xdp_md *)",
                () -> target(ProgramType.XDP, XDP_PTR, new int[] {2}, "ldxw %r2, [%r1+12]\nja +0\nmov %r0, 2\nexit"));
        assertRefused(Errno.EACCES, "argument 0: R1 is ctx; an argument declared 'struct xdp_md *' must be the program's unmodified context (struct __sk_buff *)",
                () -> target(ProgramType.SCHED_CLS, XDP_PTR, new int[] {1}, "ja +0\nmov %r0, 2\nexit"));
        assertRefused(Errno.EACCES, "argument 0: R1 is ctx; an argument declared 'struct xdp_md *' must be the program's unmodified context",
                () -> target(ProgramType.XDP, XDP_PTR, new int[] {1}, "add %r1, 4\nja +0\nmov %r0, 2\nexit"));
    }

    @Test
    void theProbesNopIsKeptAndItsOffsetFollowsTheRewrites() {
        // the context loads before the NOP grow; a plain goto +0 elsewhere goes away
        String asm = "ldxw %r2, [%r1+12]\nja +0\nmov %r3, 2\nja +0\nmov %r0, 2\nexit";
        List<Insn> insns = Assembler.assemble(asm);
        SdtProbe probe = new SdtProbe("p", 3, 3, INT_INT, new int[] {2, 3});
        VerifierResult r = new BpfVerifier().verify(new VerifierRequest(ProgramType.XDP, null, insns, List.of(), BTF, List.of(), List.of(),
                HelperProtos.forProgramType(ProgramType.XDP), ContextLayouts.xdp(), null, 0, List.of(probe), true, 1));
        int at = r.sdtProbes().get(0).xlatedOff();
        assertEquals(Insn.ja(0), r.insns().get(at), "the NOP survives as goto +0");
        assertEquals(0, r.aux().get(at).probeIndex());
        assertEquals(at, r.origToXlated()[3]);
        assertEquals(-1, r.origToXlated()[1], "a goto +0 that is no probe is removed");
    }

    @Test
    void aProbeSiteMustBeANopWithAFuncProtoOfItsArity() {
        assertRefused(Errno.EINVAL, "instruction 0 is not a goto +0", () -> new BpfVerifier().verify(new VerifierRequest(ProgramType.XDP, null,
                Assembler.assemble("mov %r0, 2\nexit"), List.of(), BTF, List.of(), List.of(), HelperProtos.forProgramType(ProgramType.XDP),
                ContextLayouts.xdp(), null, 0, List.of(new SdtProbe("p", 0, 0, INT_INT, new int[] {2, 3})), true, 1)));
        assertRefused(Errno.EINVAL, "SDT probe 'p': BTF type " + INT_TYPE + " is INT, not a FUNC_PROTO",
                () -> target(ProgramType.XDP, INT_TYPE, new int[] {2}, "mov %r2, 1\nja +0\nmov %r0, 2\nexit"));
        assertRefused(Errno.EINVAL, "SDT probe 'p': its FUNC_PROTO has 2 arguments, the site passes 1",
                () -> target(ProgramType.XDP, INT_INT, new int[] {2}, "mov %r2, 1\nja +0\nmov %r0, 2\nexit"));
    }

    @Test
    void otherPointersTakeAnyPointerOrNull() {
        target(ProgramType.XDP, FOO_PTR, new int[] {2}, "mov %r2, %r10\nadd %r2, -16\nja +0\nmov %r0, 2\nexit");
        target(ProgramType.XDP, FOO_PTR, new int[] {2}, "mov %r2, 0\nja +0\nmov %r0, 2\nexit");
        assertRefused(Errno.EACCES, "argument 0: R2 is scalar, but the probe declares the pointer 'struct foo *'",
                () -> target(ProgramType.XDP, FOO_PTR, new int[] {2}, "mov %r2, 7\nja +0\nmov %r0, 2\nexit"));
    }
}
