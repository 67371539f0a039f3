package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.oracle.KernelBpf;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Global functions of a clang object ({@code testprogs/global_funcs.o}) are verified once, on
 * their own, as in Linux: the programs run as in the kernel, the log says which function was
 * verified for any arguments, and the same code with the function made static (verified at each
 * call) is over the instruction budget, here and in the kernel.
 */
class GlobalFunctionsTest {
    private static final String OBJ = "global_funcs.o";

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"many_calls, 224", "ctx_arg, 23", "out_param, 64"})
    void programsWithGlobalFunctionsRunAsInTheKernel(String program, long expected) {
        ObjectFile obj = ClangObjects.open(OBJ);
        ClangObjects.Outcome here = ClangObjects.here(obj, program);
        assertEquals(expected, here.retval(), here::toString);
        ClangObjects.Outcome kernel = ClangObjects.kernel(obj, program);
        if (kernel != null) {
            assertEquals(kernel.retval(), here.retval(), "the kernel's result: " + kernel);
        }
    }

    @Test
    void aGlobalFunctionIsVerifiedOnce() {
        ObjectFile obj = ClangObjects.open(OBJ);
        try (Arena arena = Arena.ofConfined()) {
            VerifierResult r = new BpfVerifier().verify(ObjectRequests.of(obj, obj.program("many_calls"), 1, arena));
            assertTrue(r.log().contains("Func#1 ('mix') is safe for any args that match its prototype"), r.log());
            assertTrue(r.processedInsns() < 50_000, r.processedInsns() + " instructions processed");
            assertEquals("mix", r.subprogs().get(1).name());
        }
    }

    /** The same instructions with {@code mix} static in BTF: walked at each of its 64 calls, past 1,000,000 instructions. */
    @Test
    void theSameFunctionStaticIsTooComplex() {
        ObjectFile obj = ClangObjects.open(OBJ);
        try (Arena arena = Arena.ofConfined()) {
            VerifierRequest global = ObjectRequests.of(obj, obj.program("many_calls"), 0, arena);
            VerifierRequest asStatic = withStatic(global, "mix");
            BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(asStatic));
            assertEquals(Errno.E2BIG, e.errno(), e.getMessage());
            if (KernelBpf.availability().available()) {
                try (KernelProgram k = new KernelProgram(asStatic.type(), null, asStatic.insns(), asStatic.maps(), null,
                        new FuncBtf(asStatic.btf(), asStatic.funcInfo()))) {
                    assertEquals(Errno.E2BIG, assertThrows(BpfException.class, k::load).errno(), "the kernel: too complex too");
                }
                try (KernelProgram k = new KernelProgram(global.type(), null, global.insns(), global.maps(), null,
                        new FuncBtf(global.btf(), global.funcInfo()))) {
                    k.load();
                }
            }
        }
    }

    /** A program whose global function relies on a bound its caller checked: refused, as by the kernel; static, it is accepted. */
    @Test
    void aGlobalFunctionCannotRelyOnItsCaller() {
        Corpus global = Corpus.all().stream().filter(c -> c.name().equals("global_callee_cannot_rely_on_caller_bounds")).findFirst().orElseThrow();
        Corpus asStatic = Corpus.all().stream().filter(c -> c.name().equals("static_callee_relies_on_caller_bounds")).findFirst().orElseThrow();
        assertEquals(global.asm(), asStatic.asm(), "the same instructions");
        BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(global.request(1)));
        assertTrue(e.log().contains("Validating f() func#1..."), e.log());
        new BpfVerifier().verify(asStatic.request(1));
        Assumptions.assumeTrue(KernelBpf.availability().available(), KernelBpf.availability().reason());
        try (KernelProgram k = global.kernelProgram()) {
            assertThrows(BpfException.class, k::load);
        }
        try (KernelProgram k = asStatic.kernelProgram()) {
            k.load();
        }
    }

    /**
     * A function only called from code a constant rules out is not verified, and leaves the
     * rewritten program with its calls: the functions engines see tile the program, none empty.
     */
    @Test
    void aFunctionNoPathCallsLeavesNoEmptyFunction() {
        Corpus c = Corpus.all().stream().filter(x -> x.name().equals("global_only_called_from_dead_code_is_not_verified")).findFirst().orElseThrow();
        VerifierResult r = new BpfVerifier().verify(c.request(1));
        assertFalse(r.log().contains("Validating f()"), r.log());
        assertEquals(1, r.subprogs().size(), r.subprogs().toString());
        assertEquals(r.insns().size(), r.subprogs().get(0).end());
    }

    private static VerifierRequest withStatic(VerifierRequest r, String function) {
        List<BtfType> types = new ArrayList<>(r.btf().types());
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i) instanceof BtfType.Func f && f.name().equals(function)) {
                types.set(i, new BtfType.Func(f.name(), f.type(), 0));
            }
        }
        return new VerifierRequest(r.type(), r.attachType(), r.insns(), r.maps(), new Btf(types), r.funcInfo(), r.lineInfo(), r.helpers(),
                r.context(), r.attachBtf(), r.attachBtfId(), r.sdtProbes(), r.gplCompatible(), r.logLevel());
    }
}
