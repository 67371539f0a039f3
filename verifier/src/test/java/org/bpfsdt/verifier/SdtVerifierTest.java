package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfBuilder;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.HelperProtos;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.junit.jupiter.api.Test;

/** The verifier's rules for BPF SDT: probe NOPs kept and checked at their sites, observers typed from the probe's FUNC_PROTO. */
class SdtVerifierTest {
    /** BTF with {@code void (*)(int len, int ret)} (id {@link #LEN_RET}) and {@code void (*)(struct xdp_md *ctx)} (id {@link #CTX}). */
    static final int LEN_RET, CTX, NOT_PROTO;
    static final Btf BTF;

    static {
        BtfBuilder b = new BtfBuilder();
        int intT = b.integer("int", 4, true);
        NOT_PROTO = intT;
        int u32 = b.integer("unsigned int", 4, false);
        int xdpMd = b.struct("xdp_md", 24, List.of(BtfBuilder.member("data", u32, 0), BtfBuilder.member("data_end", u32, 4)));
        int ptr = b.ptr(xdpMd);
        LEN_RET = b.add(new BtfType.FuncProto(0, List.of(new BtfType.Param("len", intT), new BtfType.Param("ret", intT))));
        CTX = b.add(new BtfType.FuncProto(0, List.of(new BtfType.Param("ctx", ptr))));
        BTF = b.build();
    }

    static VerifierRequest target(String asm, List<SdtProbe> probes) {
        return new VerifierRequest(ProgramType.XDP, null, Assembler.assemble(asm), List.of(), BTF, List.of(), List.of(),
                HelperProtos.forProgramType(ProgramType.XDP), ContextLayouts.xdp(), null, 0, probes, true, 1);
    }

    static VerifierRequest observer(String asm, Btf attachBtf, int protoId) {
        return new VerifierRequest(ProgramType.TRACING, AttachType.TRACE_SDT, Assembler.assemble(asm), List.of(), null, List.of(), List.of(),
                HelperProtos.forProgramType(ProgramType.TRACING), ContextLayouts.tracing(0), attachBtf, protoId, List.of(), true, 1);
    }

    private static final String LEN_RET_TARGET = """
            ldxw %r2, [%r1+0]
            ldxw %r3, [%r1+4]
            mov %r6, %r3
            sub %r6, %r2
            mov %r7, 2
            ja +0
            mov %r0, %r7
            exit
            """;

    @Test
    void probeNopIsKeptAndItsOffsetFollowsRewrites() {
        VerifierResult r = new BpfVerifier().verify(target(LEN_RET_TARGET, List.of(new SdtProbe("probe_len_ret", 5, -1, LEN_RET, new int[] {6, 7}))));
        SdtProbe p = r.sdtProbes().get(0);
        assertEquals(5, p.xlatedOff());
        assertEquals(0x05, r.insns().get(p.xlatedOff()).opcode(), "the NOP survives as goto +0");
        assertEquals(0, r.insns().get(p.xlatedOff()).off());
        assertEquals(0, r.aux().get(p.xlatedOff()).probeIndex());
        assertEquals(5, r.origToXlated()[5]);
    }

    @Test
    void plainGotoZeroIsRemovedButProbesAreNot() {
        VerifierResult r = new BpfVerifier().verify(target(LEN_RET_TARGET, List.of()));
        assertEquals(7, r.insns().size(), "goto +0 without a probe is a nop the verifier drops");
        assertEquals(-1, r.origToXlated()[5]);
    }

    @Test
    void probeArgumentMustNotBeAPointerForAScalar() {
        BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(
                target(LEN_RET_TARGET, List.of(new SdtProbe("probe_len_ret", 5, -1, LEN_RET, new int[] {2, 7})))));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.reason().contains("SDT probe 'probe_len_ret' argument 0: R2 leaks addr into an observer"), e.reason());
    }

    @Test
    void probeArgumentMustBeInitialised() {
        BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(
                target(LEN_RET_TARGET, List.of(new SdtProbe("probe_len_ret", 5, -1, LEN_RET, new int[] {6, 8})))));
        assertTrue(e.reason().contains("argument 1: R8 !read_ok"), e.reason());
    }

    @Test
    void contextPointerArgument() {
        String asm = """
                mov %r6, %r1
                ja +0
                mov %r0, 2
                exit
                """;
        new BpfVerifier().verify(target(asm, List.of(new SdtProbe("ctx_probe", 1, -1, CTX, new int[] {6}))));
        BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(
                target("mov %r6, %r10\nja +0\nmov %r0, 2\nexit\n", List.of(new SdtProbe("ctx_probe", 1, -1, CTX, new int[] {6})))));
        assertTrue(e.reason().contains("must be the program's unmodified context (struct xdp_md *)"), e.reason());
    }

    @Test
    void probeSiteMustBeANop() {
        BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(
                target(LEN_RET_TARGET, List.of(new SdtProbe("probe_len_ret", 4, -1, LEN_RET, new int[] {6, 7})))));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.reason().contains("instruction 4 is not a goto +0"), e.reason());
    }

    @Test
    void probeTypeMustBeAFuncProto() {
        BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(
                target(LEN_RET_TARGET, List.of(new SdtProbe("probe_len_ret", 5, -1, NOT_PROTO, new int[] {6, 7})))));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.reason().contains("is INT, not a FUNC_PROTO"), e.reason());
    }

    @Test
    void observerReadsDeclaredArguments() {
        new BpfVerifier().verify(observer("""
                ldxdw %r2, [%r1+0]
                ldxdw %r3, [%r1+8]
                mov %r0, %r2
                add %r0, %r3
                exit
                """, BTF, LEN_RET));
    }

    @Test
    void observerCannotReadBeyondItsArguments() {
        BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(observer("ldxdw %r0, [%r1+16]\nexit\n", BTF, LEN_RET)));
        assertTrue(e.reason().contains("invalid bpf_context access off=16 size=8"), e.reason());
    }

    @Test
    void observerCannotWriteItsContext() {
        BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(observer("stdw [%r1+0], 1\nmov %r0, 0\nexit\n", BTF, LEN_RET)));
        assertTrue(e.reason().contains("invalid bpf_context access off=0 size=8"), e.reason());
    }

    @Test
    void observerMayReturnAnything() {
        new BpfVerifier().verify(observer("mov %r0, 12345\nexit\n", BTF, LEN_RET));
    }

    @Test
    void observerPassesContextPointerToAContextHelper() {
        new BpfVerifier().verify(observer("ldxdw %r1, [%r1+0]\ncall 188\nexit\n", BTF, CTX));
    }

    @Test
    void observerCannotDereferenceTheContextPointer() {
        BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(observer("ldxdw %r1, [%r1+0]\nldxw %r0, [%r1+0]\nexit\n", BTF, CTX)));
        assertTrue(e.reason().contains("can only be passed to helpers"), e.reason());
    }

    @Test
    void observerNeedsTargetBtfAndAFuncProto() {
        BpfException noBtf = assertThrows(BpfException.class, () -> new BpfVerifier().verify(observer("mov %r0, 0\nexit\n", null, LEN_RET)));
        assertEquals(Errno.EINVAL, noBtf.errno());
        BpfException notProto = assertThrows(BpfException.class, () -> new BpfVerifier().verify(observer("mov %r0, 0\nexit\n", BTF, NOT_PROTO)));
        assertEquals(Errno.EINVAL, notProto.errno());
        assertTrue(notProto.reason().contains("not a FUNC_PROTO"), notProto.reason());
    }
}
