package org.bpfsdt.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.ConformanceCase;
import org.bpfsdt.api.spi.JitCompiler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Engine resolution and hot swap, with JIT service doubles registered as OSGi would register them. */
class EngineResolutionTest {
    private final CoreRuntime runtime = new CoreRuntime("x86_64");

    EngineResolutionTest() {
        runtime.addVerifier(new TestServices.AcceptAll(), Map.of());
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    private static Map<String, Object> props(String arch, boolean sdt, int ranking) {
        return Map.of(JitCompiler.PROP_ARCH, arch, JitCompiler.PROP_SDT_PROBE, sdt, "service.ranking", ranking);
    }

    /** Sums 1..arg in a loop: long enough that runs overlap a swap. */
    private BpfProgram load(ProgSpec.Builder b) {
        return runtime.progLoad(b.build());
    }

    private static ProgSpec.Builder sum() {
        return ProgSpec.builder(ProgramType.TRACING, Assembler.assemble("""
                ldxdw %r2, [%r1+0]
                mov %r0, 0
                loop:
                add %r0, %r2
                sub %r2, 1
                jne %r2, 0, loop
                exit
                """));
    }

    private static long run(BpfProgram p, long n) {
        return p.testRun(TestRunSpec.ctx(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array())).retval();
    }

    @Test
    void theHighestRankedServiceForTheHostThatRunsHereWins() {
        var low = new TestServices.FakeJit("x86_64", true, false);
        var high = new TestServices.FakeJit("x86_64", true, false);
        var foreign = new TestServices.FakeJit("arm64", false, true);
        var pretender = new TestServices.FakeJit("x86_64", false, false);
        runtime.addJit(low, props("x86_64", false, 10));
        runtime.addJit(foreign, props("arm64", true, 100));
        runtime.addJit(pretender, props("x86_64", false, 50));
        runtime.addJit(high, props("x86_64", false, 20));
        try (BpfProgram p = load(sum())) {
            assertEquals("x86_64", p.engine());
            assertEquals(55, run(p, 10));
            assertEquals(1, high.compiles.get());
            assertEquals(0, low.compiles.get() + foreign.compiles.get() + pretender.compiles.get());
        }
        List<EngineInfo> engines = runtime.engines();
        assertEquals(List.of("x86_64", "x86_64", "interpreter", "arm64", "x86_64"), engines.stream().map(EngineInfo::name).toList());
        assertEquals(List.of(20, 10), engines.subList(0, 2).stream().map(EngineInfo::ranking).toList());
        assertFalse(engines.get(3).hostNative());
    }

    @Test
    void programsThatNeedSdtProbesGoWhereProbesAreSupported() {
        runtime.addMapProvider(new org.bpfsdt.maps.StandardMapProvider(), Map.of());
        var plain = new TestServices.FakeJit("x86_64", true, false);
        runtime.addJit(plain, props("x86_64", false, 10));
        // a program with a probe site: a NOP before the sum, described by its SDT map
        List<org.bpfsdt.api.isa.Insn> code = new java.util.ArrayList<>(List.of(org.bpfsdt.api.isa.Insn.ja(0)));
        code.addAll(sum().build().insns());
        org.bpfsdt.api.BpfMap probes = runtime.mapCreate(org.bpfsdt.api.MapSpec.of(org.bpfsdt.api.MapType.INSN_ARRAY, 4,
                org.bpfsdt.api.spi.InsnArrayValue.SDT_SIZE, 1).withFlags(org.bpfsdt.api.MapFlags.INSN_ARRAY_SDT));
        probes.update(new byte[4], org.bpfsdt.api.spi.InsnArrayValue.probe(0, "start", 0).encode(true), 0);
        probes.freeze();
        ProgSpec.Builder target = ProgSpec.builder(ProgramType.TRACING, code).sdtMap(probes);
        try (BpfProgram p = load(target)) {
            assertEquals("interpreter", p.engine());
        }
        var sdt = new TestServices.FakeJit("x86_64", true, true);
        runtime.addJit(sdt, props("x86_64", true, 1));
        try (BpfProgram p = load(target)) {
            assertEquals("x86_64", p.engine());
            assertEquals(1, sdt.compiles.get());
        }
        probes.close();
    }

    @Test
    void aServiceThatCannotCompileFallsBackToTheNext() {
        var best = new TestServices.FakeJit("x86_64", true, false);
        best.refuse = true;
        runtime.addJit(best, props("x86_64", false, 10));
        try (BpfProgram p = load(sum())) {
            assertEquals("interpreter", p.engine());
            assertEquals(6, run(p, 3));
        }
    }

    @Test
    void aPinnedProgramStaysOnItsEngine() {
        try (BpfProgram p = load(sum().engine(EngineInfo.INTERPRETER))) {
            runtime.addJit(new TestServices.FakeJit("x86_64", true, false), props("x86_64", false, 10));
            assertEquals("interpreter", p.engine());
        }
    }

    @Test
    void programsMoveWhenServicesComeAndGoWhileTheyRun() throws Exception {
        var a = new TestServices.FakeJit("x86_64", true, false);
        var b = new TestServices.FakeJit("x86_64", true, false);
        runtime.addJit(a, props("x86_64", false, 10));
        BpfProgram p = load(sum());
        assertEquals("x86_64", p.engine());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong runs = new AtomicLong();
        Thread[] runners = new Thread[2];
        for (int i = 0; i < runners.length; i++) {
            runners[i] = Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get()) {
                        if (run(p, 2000) != 2001000) {
                            throw new AssertionError("wrong result");
                        }
                        runs.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
        }
        for (int round = 0; round < 20; round++) {
            runtime.addJit(b, props("x86_64", false, 20 + round));
            waitForRuns(runs);
            assertTrue(b.runs.get() > 0 || round > 0);
            runtime.removeJit(b);
            waitForRuns(runs);
            runtime.removeJit(a);
            waitForRuns(runs);
            assertEquals("interpreter", p.engine());
            runtime.addJit(a, props("x86_64", false, 10));
            assertEquals("x86_64", p.engine());
        }
        stop.set(true);
        for (Thread t : runners) {
            t.join();
        }
        assertEquals(null, failure.get());
        runtime.grace().synchronize(null);
        assertFalse(a.closedWhileRunning || b.closedWhileRunning, "an image was closed while a run was inside it");
        // every image but the one in use now was closed: a's last one is live
        assertEquals(a.compiles.get() - 1, a.closes.get());
        assertEquals(b.compiles.get(), b.closes.get());
        p.close();
        runtime.grace().synchronize(null);
        assertEquals(a.compiles.get(), a.closes.get());
    }

    private static void waitForRuns(AtomicLong runs) {
        long target = runs.get() + 20;
        while (runs.get() < target) {
            Thread.onSpinWait();
        }
    }

    /** The conformance suite runs on any engine by name: here on the JIT double, calling helpers through upcall stubs. */
    @TestFactory
    Stream<DynamicTest> conformanceOnAJitByName() {
        runtime.addJit(new TestServices.FakeJit("x86_64", true, false), props("x86_64", false, 10));
        return ConformanceTest.suite(runtime, ConformanceCase.options("x86_64")).limit(400);
    }
}
