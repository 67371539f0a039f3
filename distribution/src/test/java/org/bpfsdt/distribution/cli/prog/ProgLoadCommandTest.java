package org.bpfsdt.distribution.cli.prog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;

import org.bpfsdt.distribution.cli.Cli;
import org.junit.jupiter.api.Test;

/** {@code bpfsdt prog load}: every program of an object through the verifier, with what it became or why it was refused. */
class ProgLoadCommandTest {
    /** The verifier's statistics line, as the kernel prints it. */
    private static final Pattern PROCESSED = Pattern.compile(
            "processed \\d+ insns \\(limit 1000000\\) max_states_per_insn \\d+ total_states \\d+ peak_states \\d+ mark_read \\d+");

    @Test
    void eachAcceptedProgramWithItsIdTypeEngineSizesAndStatistics() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("prog", "load", Cli.testprog("subprogs.o"));
            assertEquals(0, r.exit(), r.err());
            String[] lines = r.out().split("\n");
            assertEquals(4, lines.length, r.out());
            assertEquals("prog_a  id 1  type XDP  engine interpreter  insns 26 loaded, 26 xlated", lines[0]);
            assertTrue(lines[1].startsWith("  ") && PROCESSED.matcher(lines[1].strip()).matches(), lines[1]);
            assertEquals("prog_b  id 2  type XDP  engine interpreter  insns 12 loaded, 12 xlated", lines[2]);
            assertTrue(PROCESSED.matcher(lines[3].strip()).matches(), lines[3]);
            assertTrue(cli.runtime.programs().isEmpty() && cli.runtime.maps().isEmpty(), "loaded, then unloaded");
        }
    }

    @Test
    void onTheJitTheNativeCodeSizeIsShown() {
        Cli.Result r = Cli.tool("prog", "load", Cli.testprog("map_array.o"), "--engine", "x86_64");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Pattern.compile("array_ops  id 1  type XDP  engine x86_64 \\(\\d+ bytes of native code\\)  insns 49 loaded, \\d+ xlated\n")
                .matcher(r.out()).lookingAt(), r.out());
    }

    @Test
    void aRefusedProgramFailsTheLoadWithTheVerifiersLogAndSourceLines() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("prog", "load", Cli.testprog("rejected/packet_bounds.o"));
            assertEquals(1, r.exit());
            assertEquals("", r.out(), "nothing was loaded: an object loads whole or not at all");
            assertTrue(r.err().startsWith("bpfsdt prog load: EACCES: packet_bounds.o: program 'ttl_unchecked': "), r.err());
            assertTrue(r.err().contains("; return ip->ttl; @ packet_bounds.c:31\n6: (71) r0 = *(u8 *)(r1 +22)\n"
                    + "invalid access to packet, off=22 size=1, R1(id=0,off=22,r=14)\n"), r.err());
            assertTrue(PROCESSED.matcher(r.err().strip().lines().reduce((a, b) -> b).orElseThrow()).matches(), r.err());
            assertTrue(cli.runtime.programs().isEmpty() && cli.runtime.maps().isEmpty(), "the accepted program went too");

            Cli.Result nullCheck = cli.run("prog", "load", Cli.testprog("rejected/map_value_unchecked.o"));
            assertEquals(1, nullCheck.exit());
            assertTrue(nullCheck.err().contains("R0 invalid mem access 'map_value_or_null'"), nullCheck.err());
        }
    }

    @Test
    void logLevelOneShowsTheStatisticsOfAVerifiedProgramAndLevelTwoEveryInstructionWithItsState() {
        try (Cli cli = new Cli()) {
            Cli.Result one = cli.run("prog", "load", Cli.testprog("socket_filter.o"), "--log-level", "1");
            Cli.Result two = cli.run("prog", "load", Cli.testprog("socket_filter.o"), "--log-level", "2");
            assertEquals(0, one.exit(), one.err());
            assertEquals(0, two.exit(), two.err());
            for (Cli.Result r : new Cli.Result[] {one, two}) {
                assertTrue(r.out().startsWith("socket_filter  id "), r.out());
                assertTrue(PROCESSED.matcher(r.out().strip().lines().reduce((a, b) -> b).orElseThrow().strip()).matches(), r.out());
            }
            // as the kernel's do_check_common: level 1 forgets the paths of a verified program, keeping its statistics
            assertEquals(2, one.out().strip().lines().count(), one.out());
            assertTrue(two.out().contains("\n  0: R1=ctx() R10=fp0\n  ; int socket_filter(struct __sk_buff *skb) @ socket_filter.c:14\n"), two.out());
            // level 2 keeps every path it explored: each instruction of the program is there with the state after it
            int insns = 25;
            for (int pc = 0; pc < insns; pc++) {
                assertTrue(two.out().contains("\n  " + pc + ": ("), "instruction " + pc + " in\n" + two.out());
            }
            assertTrue(two.out().contains("from ") && two.out().length() > one.out().length(), two.out());

            Cli.Result bad = cli.run("prog", "load", Cli.testprog("socket_filter.o"), "--log-level", "3");
            assertEquals(2, bad.exit());
            assertTrue(bad.err().contains("--log-level is 1 or 2, not 3"), bad.err());
        }
    }

    @Test
    void sdtObserversAreLeftForSdtTrace() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("prog", "load", Cli.testprog("sdt_read_args_obs.o"));
            assertEquals(0, r.exit(), r.err());
            assertEquals("obs_read_args  not loaded: an SDT observer loads against a target's probe "
                    + "(bpfsdt sdt trace TARGET.o --prog NAME --observe PROBE=sdt_read_args_obs.o:obs_read_args)\n", r.out());
        }
    }
}
