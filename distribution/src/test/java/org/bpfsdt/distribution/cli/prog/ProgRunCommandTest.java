package org.bpfsdt.distribution.cli.prog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.bpfsdt.distribution.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bpfsdt prog run}: an object's program run as BPF_PROG_TEST_RUN, with its results and maps printed. */
class ProgRunCommandTest {
    private static final String PKT = Cli.input("pkt_tcp4.bin");

    @TempDir
    Path dir;

    @Test
    void printsTheReturnValueTimeEngineAndMaps() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("prog", "run", Cli.testprog("map_array.o"), "--prog", "array_ops", "--data-in", PKT);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("retval 64\nduration "), r.out());
            assertTrue(r.out().contains("ns per run (1 run)\nengine interpreter\n"), r.out());
            assertTrue(r.out().contains("""
                    map counters: ARRAY, key 4 B, value 8 B, max 4 (id 1)
                      0 = 0
                      1 = 64
                      2 = 7
                      3 = 0
                    """), r.out());
            assertTrue(r.out().contains("map hits: PERCPU_ARRAY"), r.out());
            assertTrue(cli.runtime.programs().isEmpty() && cli.runtime.maps().isEmpty(), "the object is closed after the run");
        }
    }

    @Test
    void theOnlyProgramNeedsNoNameAndStructValuesPrintByTheirBtf() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("prog", "run", Cli.testprog("helpers_misc.o"), "--data-in", PKT, "--trace");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("retval 127\n"), r.out());
            assertTrue(r.out().contains("bpf_trace_printk: helpers_misc len=64\n"), r.out());
            assertTrue(r.out().contains("  0 = {lock = {val = 0}, count = 1}\n"), r.out());
        }
    }

    @Test
    void globalsCanBeSetBeforeLoadAndArePrintedAfterTheRuns() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("prog", "run", Cli.testprog("global_data.o"), "--data-in", PKT, "--set", "multiplier=10", "--repeat", "4");
            assertEquals(0, r.exit(), r.err());
            // the fourth run: 64 * 10 + 5 + table[3]
            assertTrue(r.out().startsWith("retval 685\n"), r.out());
            assertTrue(r.out().contains("(4 runs)"), r.out());
            assertTrue(r.out().contains("  multiplier = 10\n") && r.out().contains("  runs = 4\n"), r.out());
        }
    }

    @Test
    void thePacketAndContextOutArePrintedWhenTheyChangeOrWrittenToFiles() throws IOException {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("prog", "run", Cli.testprog("xdp_adjust.o"), "--data-in", PKT, "--no-maps");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("data out (40 bytes):\n  0000  45 00 00 32"), r.out());
            Path out = dir.resolve("out.bin");
            Path ctx = Files.write(dir.resolve("ctx.bin"), new byte[192]);
            Path ctxOut = dir.resolve("ctx.out");
            Cli.Result tc = cli.run("prog", "run", Cli.testprog("tc_skb.o"), "--prog", "tc_fields", "--data-in", PKT, "--ctx-in", ctx.toString(),
                    "--ctx-out", ctxOut.toString(), "--data-out", out.toString());
            assertEquals(0, tc.exit(), tc.err());
            assertTrue(tc.out().startsWith("retval 100641064\n"), tc.out());
            assertArrayEquals(Files.readAllBytes(Path.of(PKT)), Files.readAllBytes(out));
            assertEquals(42, Files.readAllBytes(ctxOut)[8], "mark");
        }
    }

    @Test
    void queuesAndRingBuffersAreShownByEmptyingThem() {
        try (Cli cli = new Cli()) {
            Cli.Result q = cli.run("prog", "run", Cli.testprog("map_queue_stack.o"), "--data-in", PKT);
            assertTrue(q.out().startsWith("retval 113321\n"), q.out());
            assertTrue(q.out().contains("map queue: QUEUE, key 0 B, value 4 B, max 3 (id 1)\n  values, in pop order: 2, 3\n"), q.out());
            Cli.Result rb = cli.run("prog", "run", Cli.testprog("map_ringbuf.o"), "--data-in", PKT);
            assertTrue(rb.out().contains("  record 0: 40 00 00 00 00 00 00 00\n"), rb.out());
            assertTrue(rb.out().contains("  record 1: 40 00 00 00 00 00 00 00 ed fe 00 00 00 00 00 00\n"), rb.out());
        }
    }

    @Test
    void errorsAreOneLineWithTheErrnoAndExitCodeOne() {
        try (Cli cli = new Cli()) {
            Cli.Result many = cli.run("prog", "run", Cli.testprog("multi_prog.o"), "--data-in", PKT);
            assertEquals(1, many.exit());
            assertTrue(many.err().startsWith("bpfsdt prog run: EINVAL: multi_prog.o has 5 programs; name one with --prog"), many.err());
            Cli.Result untyped = cli.run("prog", "run", Cli.testprog("multi_prog.o"), "--prog", "untyped", "--data-in", PKT);
            assertEquals(1, untyped.exit());
            Cli.Result typed = cli.run("prog", "run", Cli.testprog("multi_prog.o"), "--prog", "untyped", "--type", "xdp", "--data-in", PKT, "--no-maps");
            assertEquals(0, typed.exit(), typed.err());
            Cli.Result bad = cli.run("prog", "run", Cli.testprog("map_array.o"), "--engine", "z80", "--data-in", PKT);
            assertEquals(1, bad.exit());
            assertTrue(bad.err().contains("EINVAL") && bad.err().contains("z80"), bad.err());
            assertTrue(cli.runtime.programs().isEmpty() && cli.runtime.maps().isEmpty(), "failed loads leave nothing behind");
        }
    }

    @Test
    void theDataInMustBeAPacketTheProgramTypeTakes() throws IOException {
        try (Cli cli = new Cli()) {
            Path tiny = Files.write(dir.resolve("tiny.bin"), Arrays.copyOf(Files.readAllBytes(Path.of(PKT)), 10));
            Cli.Result r = cli.run("prog", "run", Cli.testprog("map_array.o"), "--data-in", tiny.toString());
            assertEquals(1, r.exit());
            assertTrue(r.err().startsWith("bpfsdt prog run: EINVAL: an XDP test run needs at least an Ethernet header"), r.err());
        }
    }
}
