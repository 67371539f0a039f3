package org.bpfsdt.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.RawRunResult;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.ConformanceCase;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.jit.x86_64.codegen.CpuFeatures;
import org.bpfsdt.jit.x86_64.image.X86JitImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every program of the shared conformance suite on the x86_64 JIT. */
class ConformanceTest {
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
    void theRuntimeFindsThisJitAsAService() {
        EngineInfo jit = runtime.engines().stream().filter(e -> e.name().equals(X86JitImage.ARCH)).findFirst().orElseThrow();
        assertTrue(jit.hostNative());
        assertTrue(jit.sdtProbes(), "SDT probes work end to end (issue 6), so the service announces them");
        RawRunResult r = runtime.runUnverified(Assembler.assemble("mov %r0, 7\nexit"), new byte[0], RawRunOptions.on(X86JitImage.ARCH));
        assertEquals(X86JitImage.ARCH, r.engine());
        assertEquals(7, r.r0());
    }

    /** Through the runtime, as users run it: the runtime finds this JIT as a service and picks it by name. */
    @TestFactory
    Stream<DynamicTest> throughTheRuntime() {
        return org.bpfsdt.core.runtime.ConformanceTest.suite(runtime, ConformanceCase.options(X86JitImage.ARCH));
    }

    /** Compiled directly, for the host's processor (BMI2 shifts where present) and for the x86-64 baseline (shifts through cl). */
    @TestFactory
    Stream<DynamicContainer> perProcessorFeatures() {
        Map<String, X86JitCompiler> jits = Map.of(
                "host", new X86JitCompiler(CpuFeatures.ofHost(), false),
                "baseline", new X86JitCompiler(CpuFeatures.BASELINE, false));
        return jits.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> DynamicContainer.dynamicContainer(e.getKey(), org.bpfsdt.core.runtime.ConformanceTest.files().stream()
                        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                            ConformanceCase c = ConformanceCase.read(f);
                            try (JitImage image = e.getValue().compile(NativeRun.request(c.name(), c.insns(), NativeRun.CONFORMANCE_HELPERS))) {
                                assertEquals(c.expected().getAsLong(), NativeRun.run(image, c.mem()).r0(), c.name());
                            }
                        }))));
    }
}
