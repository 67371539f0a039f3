package org.bpfsdt.distribution.cli.sdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.bpfsdt.distribution.cli.Main;
import org.junit.jupiter.api.Test;

/** {@code bpfsdt sdt list} and {@code bpfsdt sdt trace} run in-process, as a user runs them. */
class SdtCommandTest {
    record Result(int exit, String out, String err) {
    }

    static Result bpfsdt(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(exit, out.toString(), err.toString());
    }

    static String testprog(String name) {
        String root = System.getProperty("bpfsdt.root");
        return (root != null ? Path.of(root, "testprogs") : Path.of("..", "testprogs")).resolve(name).toString();
    }

    static String packet() {
        return Path.of(System.getProperty("bpfsdt.shared", "../../shared"), "bench", "inputs", "pkt_tcp4.bin").toString();
    }

    @Test
    void listShowsEachProbeWithItsTypesRegistersAndSites() {
        Result r = bpfsdt("sdt", "list", testprog("sdt_layout_variants.o"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                PROBE                ARGUMENTS                        REGISTERS        NOP            SITES
                pair                 (__u64, __u64)                   r6,r6            xdp+6          variants@6
                first                (__u8)                           r0               .text+7        variants@16
                """, r.out());
        Result none = bpfsdt("sdt", "list", testprog("map_array.o"));
        assertEquals("map_array.o: no SDT probes\n", none.out());
    }

    @Test
    void listRefusesMalformedNotesWithTheReason() {
        Result r = bpfsdt("sdt", "list", testprog("malformed/sdt_no_decl.o"));
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("bpfsdt sdt list: EINVAL: sdt_no_decl.o: section '.bpf_sdt_notes': probe 'orphan' has no BTF declaration"),
                r.err());
    }

    @Test
    void traceRunsTheTargetAndPrintsTheObserversGlobals() {
        Result r = bpfsdt("sdt", "trace", testprog("sdt_read_args.o"), "--prog", "read_args", "--data-in", packet(), "--engine", "interpreter",
                "--observe", "probe_len_ret=" + testprog("sdt_read_args_obs.o") + ":obs_read_args");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                probe_len_ret -> sdt_read_args_obs.o:obs_read_args (link 1)
                read_args: retval 2, 1 run on interpreter
                sdt_read_args_obs.o:
                obs_len = 64
                obs_ret = 2
                obs_hits = 1
                """, r.out());
    }

    @Test
    void traceWithSeveralObserversAndTheirTraceOutput() {
        String obs = testprog("sdt_multi_prog_obs.o");
        Result r = bpfsdt("sdt", "trace", testprog("sdt_multi_prog.o"), "--prog", "tc_target", "--data-in", packet(), "--repeat", "2",
                "--observe", "tc_hit=" + obs + ":obs_tc_hit");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("tc_target: retval 0, 2 runs on "), r.out());
        assertTrue(r.out().contains("tc_hits = 2\n"), r.out());
        assertTrue(r.out().endsWith("trace_printk:\ntc_hit 1\ntc_hit 2\n"), r.out());
    }

    @Test
    void aFailedObserverLoadExitsWithTheErrnoAndTheReason() {
        Result r = bpfsdt("sdt", "trace", testprog("sdt_read_args.o"), "--prog", "read_args", "--data-in", packet(),
                "--observe", "nope=" + testprog("sdt_read_args_obs.o") + ":obs_read_args");
        assertEquals(1, r.exit());
        assertEquals("bpfsdt sdt trace: EEXIST: sdt_read_args_obs.o: program 'obs_read_args': program 1 (read_args) has no SDT probe "
                + "named 'nope' (probes: probe_len_ret)\n", r.err());
        Result verifier = bpfsdt("sdt", "trace", testprog("sdt_read_args.o"), "--prog", "read_args", "--data-in", packet(),
                "--observe", "probe_len_ret=" + testprog("sdt_bad_observers.o") + ":reads_third");
        assertEquals(1, verifier.exit());
        assertTrue(verifier.err().startsWith("bpfsdt sdt trace: EACCES: sdt_bad_observers.o: program 'reads_third': "), verifier.err());
        assertTrue(verifier.err().contains("invalid bpf_context access off=16 size=8"), verifier.err());
        Result bad = bpfsdt("sdt", "trace", testprog("sdt_read_args.o"), "--prog", "read_args", "--observe", "no-equals-sign");
        assertEquals(2, bad.exit(), bad.err());
    }
}
