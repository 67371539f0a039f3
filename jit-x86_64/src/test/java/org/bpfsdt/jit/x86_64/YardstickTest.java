package org.bpfsdt.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared yardstick programs ({@code shared/bench/progs}), loaded as users load them (loader,
 * verifier, maps), give the same result on the JIT as on the interpreter, run after run (maps
 * keep their state), and the return value the yardstick README documents (the kernel's).
 */
class YardstickTest {
    private static BpfRuntime runtime;

    /** Program, object, input and the return value the yardstick README documents. */
    private record Yardstick(String object, String program, String input, long retval) {
    }

    private static final List<Yardstick> YARDSTICKS = List.of(
            new Yardstick("xdp_parse.o", "xdp_parse", "pkt_tcp4.bin", 1),
            new Yardstick("xdp_fnv.o", "xdp_fnv", "pkt_fnv.bin", 197),
            new Yardstick("compute_primes.o", "compute_primes", "pkt_tcp4.bin", 168),
            new Yardstick("array_counter.o", "array_counter", "pkt_tcp4.bin", 2),
            new Yardstick("hash_flow.o", "hash_flow", "pkt_tcp4.bin", 2),
            new Yardstick("sdt_like.o", "sdt_like", "pkt_tcp4.bin", 2),
            new Yardstick("sdt_like.o", "sdt_like_noprobe", "pkt_tcp4.bin", 2));

    @BeforeAll
    static void start() {
        org.bpfsdt.core.runtime.CoreRuntime r = new org.bpfsdt.core.runtime.ServiceLoaderRuntime();
        if (ServiceLoader.load(org.bpfsdt.api.spi.Verifier.class).findFirst().isEmpty()) {
            // the verifier is a module-path provider only (no META-INF/services entry), so on the class path add it by hand
            r.addVerifier(new org.bpfsdt.verifier.BpfVerifier(), java.util.Map.of());
        }
        runtime = r;
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    private static Path bench() {
        return Path.of(System.getProperty("bpfsdt.shared", "../../shared")).resolve("bench");
    }

    @TestFactory
    Stream<DynamicTest> sameResultsOnTheJitAsOnTheInterpreter() {
        return YARDSTICKS.stream().map(y -> DynamicTest.dynamicTest(y.program(), () -> {
            byte[] packet = Files.readAllBytes(bench().resolve("inputs").resolve(y.input()));
            TestRunResult[] interp;
            try {
                interp = runTwice(y, EngineInfo.INTERPRETER, packet);
            } catch (BpfException e) {
                // not the JIT's doing: what the runtime cannot load or run yet (helpers, XDP test runs) it cannot compare
                Assumptions.abort("the runtime cannot run " + y.program() + " on the interpreter yet: " + e.getMessage());
                return;
            }
            TestRunResult[] jit = runTwice(y, "x86_64", packet);
            for (int i = 0; i < 2; i++) {
                assertEquals("x86_64", jit[i].engine());
                assertEquals(y.retval(), jit[i].retval(), "documented return value");
                assertEquals(interp[i].retval(), jit[i].retval(), "run " + i);
                assertArrayEquals(interp[i].dataOut(), jit[i].dataOut(), "packet after run " + i);
            }
        }));
    }

    /** Two test runs of the program in a fresh object on {@code engine} (maps persist between them). */
    private static TestRunResult[] runTwice(Yardstick y, String engine, byte[] packet) throws IOException {
        ObjectFile obj = ObjectFile.open(bench().resolve("progs").resolve(y.object()));
        obj.programs().forEach(p -> p.setAutoload(p.name().equals(y.program())));
        obj.program(y.program()).setType(ProgramType.XDP).setEngine(engine);
        try (LoadedObject loaded = obj.load(runtime)) {
            BpfProgram prog = loaded.program(y.program());
            return new TestRunResult[] {prog.testRun(TestRunSpec.data(packet)), prog.testRun(TestRunSpec.data(packet))};
        }
    }
}
