package org.bpfsdt.distribution.cli.sdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfsdt.distribution.cli.Cli;
import org.junit.jupiter.api.Test;

/** {@code bpfsdt sdt list} and {@code bpfsdt sdt trace} run in-process, as a user runs them. */
class SdtCommandTest {
    private static final String PKT = Cli.input("pkt_tcp4.bin");

    @Test
    void listShowsEachProbeWithItsTypesRegistersAndSites() {
        Cli.Result r = Cli.tool("sdt", "list", Cli.testprog("sdt_layout_variants.o"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                PROBE                ARGUMENTS                        REGISTERS        NOP            SITES
                pair                 (__u64, __u64)                   r6,r6            xdp+6          variants@6
                first                (__u8)                           r0               .text+7        variants@16
                """, r.out());
        Cli.Result none = Cli.tool("sdt", "list", Cli.testprog("map_array.o"));
        assertEquals("map_array.o: no SDT probes\n", none.out());
    }

    @Test
    void listRefusesMalformedNotesWithTheReason() {
        Cli.Result r = Cli.tool("sdt", "list", Cli.testprog("malformed/sdt_no_decl.o"));
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("bpfsdt sdt list: EINVAL: sdt_no_decl.o: section '.bpf_sdt_notes': probe 'orphan' has no BTF declaration"),
                r.err());
    }

    @Test
    void traceRunsTheTargetAndPrintsTheObserversGlobals() {
        Cli.Result r = Cli.tool("sdt", "trace", Cli.testprog("sdt_read_args.o"), "--prog", "read_args", "--data-in", PKT, "--engine", "interpreter",
                "--observe", "probe_len_ret=" + Cli.testprog("sdt_read_args_obs.o") + ":obs_read_args");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                probe_len_ret -> sdt_read_args_obs.o:obs_read_args (link 1), observer on interpreter
                read_args: retval 2, 1 run on interpreter
                sdt_read_args_obs.o:
                obs_len = 64
                obs_ret = 2
                obs_hits = 1
                """, r.out());
    }

    @Test
    void traceWithSeveralObserversAndTheirTraceOutput() {
        String obs = Cli.testprog("sdt_multi_prog_obs.o");
        Cli.Result r = Cli.tool("sdt", "trace", Cli.testprog("sdt_multi_prog.o"), "--prog", "tc_target", "--data-in", PKT, "--repeat", "2",
                "--observe", "tc_hit=" + obs + ":obs_tc_hit");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("tc_target: retval 0, 2 runs on "), r.out());
        assertTrue(r.out().contains("tc_hits = 2\n"), r.out());
        assertTrue(r.out().endsWith("trace_printk:\ntc_hit 1\ntc_hit 2\n"), r.out());
    }

    @Test
    void aFailedObserverLoadExitsWithTheErrnoAndTheReason() {
        Cli.Result r = Cli.tool("sdt", "trace", Cli.testprog("sdt_read_args.o"), "--prog", "read_args", "--data-in", PKT,
                "--observe", "nope=" + Cli.testprog("sdt_read_args_obs.o") + ":obs_read_args");
        assertEquals(1, r.exit());
        assertEquals("bpfsdt sdt trace: EEXIST: sdt_read_args_obs.o: program 'obs_read_args': program 1 (read_args) has no SDT probe "
                + "named 'nope' (probes: probe_len_ret)\n", r.err());
        Cli.Result verifier = Cli.tool("sdt", "trace", Cli.testprog("sdt_read_args.o"), "--prog", "read_args", "--data-in", PKT,
                "--observe", "probe_len_ret=" + Cli.testprog("sdt_bad_observers.o") + ":reads_third");
        assertEquals(1, verifier.exit());
        assertTrue(verifier.err().startsWith("bpfsdt sdt trace: EACCES: sdt_bad_observers.o: program 'reads_third': "), verifier.err());
        assertTrue(verifier.err().contains("invalid bpf_context access off=16 size=8"), verifier.err());
        Cli.Result bad = Cli.tool("sdt", "trace", Cli.testprog("sdt_read_args.o"), "--prog", "read_args", "--observe", "no-equals-sign");
        assertEquals(2, bad.exit(), bad.err());
    }
}
