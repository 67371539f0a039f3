package org.bpfsdt.links;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.ServiceLoader;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfLink;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The BPF SDT scenarios of the kernel series' selftests, with real clang objects
 * ({@code testprogs/sdt_*.c}) on every engine with SDT support here: a target and its observers
 * loaded by the loader as the seed loads them, attached, run, and the observers' globals read.
 */
class SdtScenariosTest {
    private final BpfRuntime rt = ServiceLoader.load(BpfRuntime.class).findFirst().orElseThrow();

    @AfterEach
    void close() {
        rt.close();
    }

    static List<String> engines() {
        return SdtLinkTest.engines();
    }

    private LoadedObject load(String object, String engine) {
        ObjectFile obj = TestObjects.open(object);
        obj.programs().forEach(p -> p.setEngine(engine));
        return obj.load(rt);
    }

    /** Loads {@code programs} of the observer object against their sections' probes of {@code target}. */
    private LoadedObject observers(String object, BpfProgram target, String engine, String... programs) {
        ObjectFile obj = TestObjects.open(object);
        obj.programs().forEach(p -> p.setAutoload(false));
        for (String name : programs) {
            obj.program(name).setAutoload(true).setEngine(engine).setAttachTarget(target, null);
        }
        return obj.load(rt);
    }

    private BpfLink attach(BpfProgram observer) {
        return rt.linkCreate(LinkSpec.of(observer, AttachType.TRACE_SDT));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void readArgs(String engine) {
        try (LoadedObject target = load("sdt_read_args.o", engine);
             LoadedObject obs = observers("sdt_read_args_obs.o", target.program("read_args"), engine, "obs_read_args");
             BpfLink link = attach(obs.program("obs_read_args"))) {
            TestRunResult r = target.program("read_args").testRun(TestRunSpec.data(TestObjects.packet()));
            assertEquals(2, r.retval(), "XDP_PASS");
            assertEquals(engine, r.engine());
            assertEquals(64, obs.global("obs_len").longValue());
            assertEquals(2, obs.global("obs_ret").longValue(), "XDP_PASS");
            assertEquals(1, obs.global("obs_hits").longValue());
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void theRfcHeadersObjectRunsTheSame(String engine) {
        try (LoadedObject target = load("sdt_upstream_read_args.o", engine);
             LoadedObject obs = observers("sdt_read_args_obs.o", target.program("read_args"), engine, "obs_read_args");
             BpfLink link = attach(obs.program("obs_read_args"))) {
            assertEquals(2, target.program("read_args").testRun(TestRunSpec.data(TestObjects.packet())).retval());
            assertEquals(List.of(64L, 2L, 1L), List.of(obs.global("obs_len").longValue(), obs.global("obs_ret").longValue(),
                    obs.global("obs_hits").longValue()));
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void multiProg(String engine) {
        try (LoadedObject target = load("sdt_multi_prog.o", engine);
             LoadedObject onXdp = observers("sdt_multi_prog_obs.o", target.program("xdp_target"), engine, "obs_xdp_len");
             LoadedObject onTc = observers("sdt_multi_prog_obs.o", target.program("tc_target"), engine, "obs_tc_hit");
             BpfLink a = attach(onXdp.program("obs_xdp_len")); BpfLink b = attach(onTc.program("obs_tc_hit"))) {
            rt.tracePipe().drain();
            assertEquals(2, target.program("xdp_target").testRun(TestRunSpec.data(TestObjects.packet())).retval());
            assertEquals(0, target.program("tc_target").testRun(TestRunSpec.data(TestObjects.packet())).retval(), "TC_ACT_OK");
            assertEquals(64, onXdp.global("xdp_seen_len").longValue());
            assertEquals(1, onXdp.global("xdp_hits").longValue());
            assertEquals(0, onXdp.global("tc_hits").longValue(), "each object has its own globals");
            assertEquals(1, onTc.global("tc_hits").longValue());
            assertEquals(List.of("tc_hit 1"), rt.tracePipe().drain().stream().map(TracePipe.Line::text).toList());
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void subprogProbe(String engine) {
        try (LoadedObject target = load("sdt_subprog_probe.o", engine);
             LoadedObject obs = observers("sdt_subprog_probe_obs.o", target.program("subprog_target"), engine, "obs_ctx");
             BpfLink link = attach(obs.program("obs_ctx"))) {
            assertEquals(2, target.program("subprog_target").testRun(TestRunSpec.data(TestObjects.packet())).retval());
            assertEquals(64, obs.global("obs_buff_len").longValue(), "bpf_xdp_get_buff_len on the target's context");
            assertEquals(1, obs.global("obs_calls").longValue());
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void argumentsInOtherRegistersAndWidths(String engine) {
        try (LoadedObject target = load("sdt_layout_variants.o", engine);
             LoadedObject obs = observers("sdt_layout_variants_obs.o", target.program("variants"), engine, "obs_pair", "obs_first");
             BpfLink a = attach(obs.program("obs_pair")); BpfLink b = attach(obs.program("obs_first"))) {
            assertEquals(3, target.program("variants").testRun(TestRunSpec.data(TestObjects.packet())).retval());
            assertEquals(64, obs.global("pair_a").longValue());
            assertEquals(64, obs.global("pair_b").longValue());
            assertEquals(8, obs.global("first_kind").longValue(), "a u8 in r0");
        }
    }

    // ---- the seed's negative paths, through objects ------------------------------------------

    private int refs(BpfProgram p) {
        return ((CoreRuntime) rt).refCount(p);
    }

    private void assertRefused(Errno errno, String fragment, Runnable load) {
        BpfException e = assertThrows(BpfException.class, load::run);
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.reason().contains(fragment) || e.log().contains(fragment), "'" + fragment + "' in: " + e.reason() + "\n" + e.log());
    }

    @ParameterizedTest
    @MethodSource("engines")
    void observerLoadsThatFailLeaveTheTargetAsItWas(String engine) {
        try (LoadedObject target = load("sdt_read_args.o", engine); LoadedObject plain = load("sdt_multi_prog.o", engine)) {
            BpfProgram t = target.program("read_args");
            int before = refs(t);
            int programs = rt.programs().size();
            ObjectFile noTarget = TestObjects.open("sdt_read_args_obs.o");
            assertRefused(Errno.EINVAL, "target program", () -> noTarget.load(rt));
            ObjectFile wrongName = TestObjects.open("sdt_read_args_obs.o");
            wrongName.program("obs_read_args").setAttachTarget(t, "no_such_probe");
            assertRefused(Errno.EEXIST, "has no SDT probe named 'no_such_probe' (probes: probe_len_ret)", () -> wrongName.load(rt));
            assertRefused(Errno.EEXIST, "has no SDT probe named 'probe_len_ret'",
                    () -> observers("sdt_read_args_obs.o", plain.program("tc_target"), engine, "obs_read_args"));
            BpfProgram closed = t.dup();
            closed.close();
            assertRefused(Errno.EBADF, "closed", () -> observers("sdt_read_args_obs.o", closed, engine, "obs_read_args"));
            assertEquals(before, refs(t), "every failed load gave the target back");
            assertEquals(programs, rt.programs().size());
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void theVerifierHoldsObserversToTheirProbe(String engine) {
        try (LoadedObject args = load("sdt_read_args.o", engine); LoadedObject ctx = load("sdt_subprog_probe.o", engine)) {
            BpfProgram t = args.program("read_args");
            assertRefused(Errno.EACCES, "invalid bpf_context access off=16 size=8",
                    () -> observers("sdt_bad_observers.o", t, engine, "reads_third"));
            assertRefused(Errno.EACCES, "invalid bpf_context access off=0 size=8",
                    () -> observers("sdt_bad_observers.o", t, engine, "writes_args"));
            assertRefused(Errno.EACCES, "R1 type=scalar expected=ctx",
                    () -> observers("sdt_bad_observers.o", t, engine, "len_of_int"));
            assertRefused(Errno.EACCES, "only read is supported",
                    () -> observers("sdt_bad_observers.o", ctx.program("subprog_target"), engine, "writes_xdp"));
            assertEquals(2, rt.programs().size(), "nothing loaded");
        }
    }
}
