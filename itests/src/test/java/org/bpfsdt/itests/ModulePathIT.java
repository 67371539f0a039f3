package org.bpfsdt.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The command line as {@code ./bpfsdt} starts it: the bundles as named modules on the module path,
 * the runtime found with {@link java.util.ServiceLoader} through the modules' {@code provides}.
 */
class ModulePathIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** {@code java --module-path bundles @conf/cli.args ARGS}: the last line of {@code ./bpfsdt}. */
    static List<String> bpfsdt(List<String> jvmOptions, String... args) {
        Path home = Distribution.home();
        List<String> cmd = new ArrayList<>();
        cmd.add(Distribution.java());
        cmd.addAll(jvmOptions);
        cmd.add("--module-path");
        cmd.add(home.resolve("bundles").toString());
        cmd.add("@" + home.resolve("conf/cli.args"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void theRuntimeIsBoundByServiceLoaderOnTheModulePathAndRunsTheExample() throws Exception {
        ConsoleProcess.Result r = run(List.of("--show-module-resolution"), "run", Distribution.examples().resolve("hello.asm").toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("root org.bpfsdt.distribution"), "the tool is a named module");
        assertTrue(r.output().contains("binds org.bpfsdt.core"), "BpfRuntime's provider is bound as a service:\n" + r.output());
        assertTrue(r.output().contains("r0 = 0x2a (42)"), r.output());
        assertTrue(r.output().contains("engine: interpreter"), r.output());
    }

    @Test
    void aConformanceFileRunsWithItsMemoryAndItsResultIsChecked() throws Exception {
        ConsoleProcess.Result r = run(List.of(), "run", Distribution.conformance().resolve("ldxb.data").toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("r0 = 0x11 (17)"), r.output());
        assertTrue(r.output().contains("expected 0x11 (17): match"), r.output());
        // every module that calls restricted methods has native access: the JVM says nothing
        assertFalse(r.output().contains("WARNING"), r.output());
    }

    /** The verifier and the maps are found through their modules' {@code provides}, as the runtime finds them. */
    @Test
    void aClangObjectLoadsVerifiedAndRunsWithItsMaps() throws Exception {
        ConsoleProcess.Result r = run(List.of(), "prog", "run", Distribution.testprogs().resolve("map_array.o").toString(),
                "--prog", "array_ops", "--data-in", Distribution.packet().toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("retval 64"), r.output());
        assertTrue(r.output().contains("map counters: ARRAY") && r.output().contains("  1 = 64"), r.output());
        assertFalse(r.output().contains("WARNING"), r.output());
    }

    @Test
    void badInputExitsNonZeroWithTheReason() throws Exception {
        ConsoleProcess.Result r = run(List.of(), "run", "--mem", "zz", Distribution.examples().resolve("hello.asm").toString());
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("bpfsdt run: EINVAL: 'zz' is not hex bytes"), r.output());
    }

    private static ConsoleProcess.Result run(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        return ConsoleProcess.run(bpfsdt(jvmOptions, args), Distribution.home(), TIMEOUT);
    }
}
