package org.bpfsdt.links;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfLink;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.jit.x86_64.X86JitCompiler;
import org.bpfsdt.jit.x86_64.codegen.CpuFeatures;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.verifier.BpfVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attachments across engine changes: when the x86_64 JIT service goes away, target and
 * observers move to the interpreter and the probe still calls the observers; when it comes back
 * they move back, still attached. And a JIT that does not support SDT probes refuses observers
 * of the programs it runs, as the seed does.
 */
class EngineChangeTest {
    private final CoreRuntime rt = new CoreRuntime();
    private final X86JitCompiler jit = new X86JitCompiler();
    private final SdtLinkProvider links = new SdtLinkProvider();

    @BeforeEach
    void services() {
        rt.addVerifier(new BpfVerifier(), Map.of());
        rt.addMapProvider(new StandardMapProvider(), Map.of());
        rt.addLinkProvider(links, Map.of());
    }

    @AfterEach
    void close() {
        rt.close();
    }

    private static Map<String, Object> props(boolean sdt) {
        return Map.of(JitCompiler.PROP_ARCH, "x86_64", JitCompiler.PROP_SDT_PROBE, sdt, "service.ranking", 100);
    }

    @Test
    void attachmentsFollowTheirProgramsToAnotherEngineAndBack() {
        rt.addJit(jit, props(true));
        ObjectFile obsFile = TestObjects.open("sdt_read_args_obs.o");
        try (LoadedObject target = TestObjects.open("sdt_read_args.o").load(rt)) {
            BpfProgram t = target.program("read_args");
            obsFile.program("obs_read_args").setAttachTarget(t, null);
            try (LoadedObject obs = obsFile.load(rt); BpfLink link = rt.linkCreate(LinkSpec.of(obs.program("obs_read_args"), AttachType.TRACE_SDT))) {
                byte[] packet = TestObjects.packet();
                assertEquals("x86_64", t.engine());
                assertEquals("x86_64", obs.program("obs_read_args").engine());
                t.testRun(TestRunSpec.data(packet));
                assertEquals(1, obs.global("obs_hits").longValue());

                rt.removeJit(jit);
                assertEquals("interpreter", t.engine());
                assertEquals("interpreter", obs.program("obs_read_args").engine());
                t.testRun(TestRunSpec.data(packet));
                assertEquals(2, obs.global("obs_hits").longValue(), "still attached on the interpreter");

                rt.addJit(jit, props(true));
                assertEquals("x86_64", t.engine());
                t.testRun(TestRunSpec.data(packet).repeat(3));
                assertEquals(5, obs.global("obs_hits").longValue(), "and back on the JIT");
                assertEquals(64, obs.global("obs_len").longValue());

                assertEquals(1, links.activeProbes());
                link.close();
                assertEquals(0, links.activeProbes(), "the last link took the probe's trampoline with it");
                t.testRun(TestRunSpec.data(packet));
                assertEquals(5, obs.global("obs_hits").longValue(), "closed: the NOP again");
            }
        }
    }

    @Test
    void anObserverOnTheInterpreterIsCalledFromJitCode() {
        rt.addJit(jit, props(true));
        ObjectFile obsFile = TestObjects.open("sdt_subprog_probe_obs.o");
        try (LoadedObject target = TestObjects.open("sdt_subprog_probe.o").load(rt)) {
            BpfProgram t = target.program("subprog_target");
            obsFile.program("obs_ctx").setAttachTarget(t, null).setEngine("interpreter");
            try (LoadedObject obs = obsFile.load(rt); BpfLink link = rt.linkCreate(LinkSpec.of(obs.program("obs_ctx"), AttachType.TRACE_SDT))) {
                assertEquals("x86_64", t.engine());
                assertEquals("interpreter", obs.program("obs_ctx").engine());
                assertEquals(2, t.testRun(TestRunSpec.data(TestObjects.packet()).repeat(4)).retval());
                assertEquals(4, obs.global("obs_calls").longValue());
                assertEquals(64, obs.global("obs_buff_len").longValue());
            }
        }
    }

    @Test
    void aJitWithoutSdtSupportRefusesObserversOfItsPrograms() {
        X86JitCompiler plain = new X86JitCompiler(CpuFeatures.ofHost(), false);
        rt.addJit(plain, props(false));
        try (LoadedObject probeless = TestObjects.open("map_array.o").load(rt); LoadedObject withProbes = TestObjects.open("sdt_read_args.o").load(rt)) {
            BpfProgram p = probeless.program("array_ops");
            assertEquals("x86_64", p.engine());
            assertEquals("interpreter", withProbes.program("read_args").engine(), "a program with probes goes where probes are supported");
            ObjectFile obsFile = TestObjects.open("sdt_read_args_obs.o");
            obsFile.program("obs_read_args").setAttachTarget(p, "probe_len_ret");
            BpfException e = assertThrows(BpfException.class, () -> obsFile.load(rt));
            assertEquals(Errno.EOPNOTSUPP, e.errno());
            assertTrue(e.reason().contains("does not support SDT probes"), e.reason());
            assertEquals(1, rt.refCount(p), "the target was given back");
        }
    }
}
