package org.bpfsdt.jit.x86_64.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HexFormat;
import java.util.ServiceLoader;
import java.util.function.IntToLongFunction;

import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.RawRunResult;
import org.bpfsdt.api.isa.ObjdumpFormatter;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.jit.x86_64.NativeRun;
import org.bpfsdt.jit.x86_64.X86JitCompiler;
import org.bpfsdt.jit.x86_64.codegen.CpuFeatures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random valid programs ({@link ProgramGenerator}) on the interpreter and on the JIT: r0 and every
 * byte of memory must agree. The normal run checks 5,000 programs; for millions:
 *
 * <pre>
 * ./mvnw -B -o -pl jit-x86_64 -am test -Dtest=DifferentialFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbpfsdt.fuzz.programs=2000000 -Dbpfsdt.fuzz.seed=$RANDOM
 * </pre>
 *
 * A difference fails with the seed that regenerates the program, the program, and both results.
 */
class DifferentialFuzzTest {
    private static final int PROGRAMS = Integer.getInteger("bpfsdt.fuzz.programs", 5000);
    private static final long SEED = Long.getLong("bpfsdt.fuzz.seed", 0x5eed_b9f0L);
    /** One program in this many also runs on the checked interpreter, proving the generator keeps to its memory. */
    private static final int CHECKED_EVERY = 25;

    private static BpfRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = ServiceLoader.load(BpfRuntime.class).findFirst().orElseThrow();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void theJitAgreesWithTheInterpreter() {
        RawRunOptions interpreter = RawRunOptions.interpreter().withHelper(ProgramGenerator.HELPER, ProgramGenerator::mix);
        long mix = NativeRun.upcall(ProgramGenerator::mix);
        IntToLongFunction helpers = id -> id == ProgramGenerator.HELPER ? mix : 0;
        X86JitCompiler[] jits = {new X86JitCompiler(CpuFeatures.ofHost(), false), new X86JitCompiler(CpuFeatures.BASELINE, false)};
        for (int i = 0; i < PROGRAMS; i++) {
            ProgramGenerator.Program p = ProgramGenerator.generate(SEED + i);
            RawRunResult expected = runtime.runUnverified(p.insns(), p.mem(), interpreter);
            if (i % CHECKED_EVERY == 0) {
                RawRunResult checked = runtime.runUnverified(p.insns(), p.mem(), interpreter.inCheckedMode());
                assertEquals(expected.r0(), checked.r0(), "seed " + p.seed() + ": the checked interpreter disagrees with the interpreter");
            }
            X86JitCompiler jit = jits[i & 1];
            NativeRun.Result actual;
            try (JitImage image = jit.compile(NativeRun.request("fuzz", p.insns(), helpers))) {
                actual = NativeRun.run(image, p.mem());
            }
            if (expected.r0() != actual.r0() || !java.util.Arrays.equals(expected.memAfter(), actual.memAfter())) {
                fail(report(p, expected, actual, jit == jits[0] ? "host features" : "baseline"));
            }
        }
    }

    private static String report(ProgramGenerator.Program p, RawRunResult expected, NativeRun.Result actual, String features) {
        HexFormat hex = HexFormat.ofDelimiter(" ");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("seed %d (-Dbpfsdt.fuzz.seed=%d -Dbpfsdt.fuzz.programs=1), JIT with %s:%n", p.seed(), p.seed(), features));
        sb.append(String.format("r0: interpreter 0x%016x, JIT 0x%016x%n", expected.r0(), actual.r0()));
        for (int off = 0; off < p.mem().length; off += 16) {
            byte[] e = java.util.Arrays.copyOfRange(expected.memAfter(), off, off + 16);
            byte[] a = java.util.Arrays.copyOfRange(actual.memAfter(), off, off + 16);
            if (!java.util.Arrays.equals(e, a)) {
                sb.append(String.format("mem+%3d: interpreter %s%n         JIT         %s%n", off, hex.formatHex(e), hex.formatHex(a)));
            }
        }
        sb.append("memory before: ").append(hex.formatHex(p.mem())).append('\n');
        sb.append(ObjdumpFormatter.format(p.insns()));
        return sb.toString();
    }
}
