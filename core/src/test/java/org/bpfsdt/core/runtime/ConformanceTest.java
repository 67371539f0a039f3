package org.bpfsdt.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.RawRunResult;
import org.bpfsdt.api.isa.ConformanceCase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The BPF conformance suite ({@code shared/conformance/*.data}): every file, none excluded, as
 * an unverified raw run; r0 compared over all 64 bits. {@link #suite} runs it on any engine by
 * name, so a JIT module's test is {@code ConformanceTest.suite(runtime, "x86_64")}.
 */
public class ConformanceTest {
    private static CoreRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = new CoreRuntime();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    /** The suite's files, sorted by name. */
    public static List<Path> files() {
        Path dir = Path.of(System.getProperty("bpfsdt.shared", "../../shared")).resolve("conformance");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".data")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("conformance suite not found at " + dir.toAbsolutePath(), e);
        }
    }

    /** One dynamic test per file, named after it, running on {@code engine} ({@code interpreter} or a JIT's name). */
    public static Stream<DynamicTest> suite(BpfRuntime runtime, RawRunOptions options) {
        return files().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            ConformanceCase c = ConformanceCase.read(f);
            RawRunResult r = c.run(runtime, options);
            assertTrue(c.expected().isPresent(), f + " states no result");
            assertEquals(hex(c.expected().getAsLong()), hex(r.r0()), f.getFileName() + " on " + r.engine());
        }));
    }

    private static String hex(long v) {
        return String.format("0x%016x", v);
    }

    @TestFactory
    Stream<DynamicTest> interpreter() {
        return suite(runtime, ConformanceCase.options(EngineInfo.INTERPRETER));
    }

    /** The checked interpreter runs the suite too: no conformance program touches memory it was not given. */
    @TestFactory
    Stream<DynamicTest> checkedInterpreter() {
        return suite(runtime, ConformanceCase.options(EngineInfo.INTERPRETER).inCheckedMode());
    }

    @Test
    void theWholeSuiteIsThere() {
        assertEquals(313, files().size());
    }
}
