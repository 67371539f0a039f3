package org.bpfsdt.distribution.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code bpfsdt} command line run in-process, as a user runs it, on the runtime {@link java.util.ServiceLoader} finds. */
class BpfSdtCommandTest {
    static Cli.Result bpfsdt(String... args) {
        return Cli.tool(args);
    }

    static String example(String name) {
        return ProgramReaderTest.examples().resolve(name).toString();
    }

    static Path conformance(String name) {
        return Path.of(System.getProperty("bpfsdt.shared", "../../shared"), "conformance", name);
    }

    @TempDir
    Path dir;

    @Test
    void runPrintsR0AndTheEngineThatRanIt() {
        Cli.Result r = bpfsdt("run", example("hello.asm"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("r0 = 0x2a (42)\nengine: interpreter\n", r.out());
    }

    @Test
    void theMemoryIsAddressedByR1AndR2() {
        Cli.Result r = bpfsdt("run", example("hello.asm"), "--mem", "01 02 03", "--show-mem");
        assertEquals(0, r.exit(), r.err());
        assertEquals("r0 = 0x30 (48)\nengine: interpreter\nmem = 01 02 03\n", r.out());
    }

    @Test
    void aConformanceFileBringsItsMemoryAndExpectedResult() {
        Cli.Result r = bpfsdt("run", conformance("ldxb.data").toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("r0 = 0x11 (17)\nengine: interpreter\nexpected 0x11 (17): match\n", r.out());
    }

    @Test
    void aResultOtherThanTheExpectedOneFails() throws IOException {
        Path data = Files.writeString(dir.resolve("wrong.data"), "-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n");
        Cli.Result r = bpfsdt("run", data.toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().endsWith("expected 0x2 (2): MISMATCH\n"), r.out());
    }

    @Test
    void givenMemoryReplacesTheFilesMemory() {
        Cli.Result r = bpfsdt("run", conformance("ldxb.data").toString(), "--mem", "aa bb 22 cc dd");
        assertEquals(1, r.exit());
        assertTrue(r.out().startsWith("r0 = 0x22 (34)\n"), r.out());
    }

    @Test
    void disassembleShowsTheProgramFirst() {
        Cli.Result r = bpfsdt("run", "-d", example("hello.asm"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("r0 = 0x2a")), r.out());
        assertTrue(r.out().endsWith("r0 = 0x2a (42)\nengine: interpreter\n"), r.out());
    }

    @Test
    void errorsAreOneLineNamingTheProblem() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.asm"), "mov %r0, 1\nfrobnicate\nexit\n");
        Cli.Result r = bpfsdt("run", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("bpfsdt run: EINVAL: line 2"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());

        Cli.Result missing = bpfsdt("run", dir.resolve("nothing.asm").toString());
        assertEquals(1, missing.exit());
        assertEquals("bpfsdt run: no such file: " + dir.resolve("nothing.asm") + "\n", missing.err());
    }

    @Test
    void anUnknownEngineIsRefused() {
        Cli.Result r = bpfsdt("run", "--engine", "pdp11", example("hello.asm"));
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("bpfsdt run: ") && r.err().contains("pdp11"), r.err());
    }

    @Test
    void enginesListsTheInterpreter() {
        Cli.Result r = bpfsdt("engines");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("interpreter ")), r.out());
    }

    @Test
    void osgiOutsideAnAssembledDistributionSaysHowToGetOne() {
        Cli.Result r = bpfsdt("osgi", "--no-shell");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("bpfsdt osgi: ENOENT: ") && r.err().contains("./bpfsdt"), r.err());
    }

    @Test
    void aBadCommandLineExitsWith2AndSaysWhy() {
        Cli.Result r = bpfsdt("run");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing required parameter: 'FILE'"), r.err());
        assertEquals(2, bpfsdt("frobnicate").exit());
    }
}
