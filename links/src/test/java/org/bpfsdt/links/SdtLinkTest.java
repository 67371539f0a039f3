package org.bpfsdt.links;

import static org.bpfsdt.links.ProbePrograms.calls;
import static org.bpfsdt.links.ProbePrograms.observer;
import static org.bpfsdt.links.ProbePrograms.order;
import static org.bpfsdt.links.ProbePrograms.record;
import static org.bpfsdt.links.ProbePrograms.run;
import static org.bpfsdt.links.ProbePrograms.seen;
import static org.bpfsdt.links.ProbePrograms.target;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.ServiceLoader;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfLink;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkInfo;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.LinkType;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SDT links through the runtime facade, on every engine the runtime has here: attaching patches
 * the probe, observers run in attach order, updates swap an observer in place, closing the last
 * link restores the NOP, links are listed, and a target lives while links hold it.
 */
class SdtLinkTest {
    private final BpfRuntime rt = ServiceLoader.load(BpfRuntime.class).findFirst().orElseThrow();

    @AfterEach
    void close() {
        rt.close();
    }

    /** The engines SDT targets can run on in this process. */
    static List<String> engines() {
        try (BpfRuntime rt = ServiceLoader.load(BpfRuntime.class).findFirst().orElseThrow()) {
            return rt.engines().stream().filter(e -> e.hostNative() && e.sdtProbes()).map(e -> e.name()).distinct().toList();
        }
    }

    private static BpfLink attach(BpfRuntime rt, BpfProgram observer) {
        return rt.linkCreate(LinkSpec.of(observer, AttachType.TRACE_SDT));
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anAttachedObserverSeesEveryRunUntilItsLinkCloses(String engine) {
        try (BpfMap rec = record(rt); BpfProgram t = target(rt, "probe", engine); BpfProgram o = observer(rt, t, "probe", rec, 0, engine)) {
            assertEquals(engine, t.engine());
            assertEquals(6, run(t, 5));
            assertEquals(0, calls(rec), "a NOP while nothing is attached");
            try (BpfLink link = attach(rt, o)) {
                assertEquals(8, run(t, 7), "the target's result is its own");
                assertEquals(1, calls(rec));
                assertEquals(7, seen(rec, 0));
                LinkInfo info = link.info();
                assertEquals(LinkType.SDT, info.type());
                assertEquals(AttachType.TRACE_SDT, info.attachType());
                assertEquals(o.id(), info.programId());
                assertEquals(t.id(), info.targetId());
                assertEquals("probe probe of program " + t.id(), info.detail());
                assertEquals(List.of(info), rt.links());
                try (BpfLink again = rt.linkGetById(link.id()).orElseThrow()) {
                    assertEquals(info, again.info());
                }
            }
            run(t, 9);
            assertEquals(1, calls(rec), "closing the link restored the NOP");
            assertTrue(rt.links().isEmpty());
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void observersOfOneProbeRunInAttachOrder(String engine) {
        try (BpfMap rec = record(rt); BpfProgram t = target(rt, "probe", engine)) {
            BpfProgram[] obs = new BpfProgram[3];
            BpfLink[] links = new BpfLink[3];
            for (int i = 0; i < 3; i++) {
                obs[i] = observer(rt, t, "probe", rec, i, engine);
            }
            links[2] = attach(rt, obs[2]);
            links[0] = attach(rt, obs[0]);
            links[1] = attach(rt, obs[1]);
            run(t, 40);
            assertEquals(3, calls(rec));
            assertEquals(List.of(1L, 2L, 3L), List.of(order(rec, 2), order(rec, 0), order(rec, 1)), "2, then 0, then 1: as attached");
            links[0].close();
            run(t, 41);
            assertEquals(List.of(4L, 5L), List.of(order(rec, 2), order(rec, 1)), "the others keep their order");
            assertEquals(40, seen(rec, 0), "the detached one saw nothing more");
            links[2].close();
            links[1].close();
            run(t, 42);
            assertEquals(5, calls(rec));
            for (BpfProgram o : obs) {
                o.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void anUpdateSwapsTheObserverInPlace(String engine) {
        try (BpfMap rec = record(rt); BpfProgram t = target(rt, "probe", engine); BpfProgram first = observer(rt, t, "probe", rec, 0, engine);
             BpfProgram second = observer(rt, t, "probe", rec, 1, engine); BpfProgram third = observer(rt, t, "probe", rec, 2, engine)) {
            BpfLink a = attach(rt, first);
            BpfLink b = attach(rt, third);
            a.update(second);
            assertEquals(second.id(), a.info().programId());
            run(t, 3);
            assertEquals(0, seen(rec, 0), "the replaced observer is gone");
            assertEquals(List.of(1L, 2L), List.of(order(rec, 1), order(rec, 2)), "its replacement took its place, before the later link");
            b.close();
            a.close();
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void updatesAndLinksAreCheckedAgainstTheProbe(String engine) {
        try (BpfMap rec = record(rt); BpfProgram t = target(rt, "probe", engine); BpfProgram other = target(rt, "other", engine);
             BpfProgram o = observer(rt, t, "probe", rec, 0, engine); BpfProgram elsewhere = observer(rt, other, "other", rec, 1, engine);
             BpfProgram plain = rt.progLoad(ProgSpec.builder(ProgramType.TRACING, Assembler.assemble("mov %r0, 0\nexit")).build())) {
            BpfException notObserver = assertThrows(BpfException.class, () -> attach(rt, plain));
            assertEquals(Errno.EINVAL, notObserver.errno());
            assertTrue(notObserver.reason().contains("was not loaded as an SDT observer"), notObserver.reason());
            BpfException wrongTarget = assertThrows(BpfException.class, () -> rt.linkCreate(new LinkSpec(o, AttachType.TRACE_SDT, other)));
            assertEquals(Errno.EINVAL, wrongTarget.errno());
            assertEquals(1, ((org.bpfsdt.core.runtime.CoreRuntime) rt).refCount(o), "a refused link keeps nothing");
            assertTrue(rt.links().isEmpty());

            BpfLink link = attach(rt, o);
            BpfException otherProbe = assertThrows(BpfException.class, () -> link.update(elsewhere));
            assertEquals(Errno.EINVAL, otherProbe.errno());
            assertTrue(otherProbe.reason().contains("not this link's probe 'probe'"), otherProbe.reason());
            assertEquals(o.id(), link.info().programId(), "a refused update changes nothing");
            run(t, 1);
            assertEquals(1, calls(rec));

            link.detach();
            assertEquals(0, link.info().programId());
            assertEquals(Errno.ENOLINK, assertThrows(BpfException.class, () -> link.update(o)).errno());
            run(t, 2);
            assertEquals(1, calls(rec), "detached: the NOP again, though the handle is open");
            link.close();
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void probesOfSeveralTargetsAtOnce(String engine) {
        try (BpfMap rec = record(rt); BpfProgram a = target(rt, "probe", engine); BpfProgram b = target(rt, "probe", engine);
             BpfProgram onA = observer(rt, a, "probe", rec, 0, engine); BpfProgram onB = observer(rt, b, "probe", rec, 1, engine);
             BpfLink la = attach(rt, onA); BpfLink lb = attach(rt, onB)) {
            run(a, 10);
            run(b, 20);
            assertEquals(10, seen(rec, 0));
            assertEquals(20, seen(rec, 1));
            assertEquals(2, calls(rec), "each probe calls its own observer only");
            assertEquals(2, rt.links().size());
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void closingTheRuntimeDetachesItsLinks(String engine) {
        try (BpfRuntime own = ServiceLoader.load(BpfRuntime.class).findFirst().orElseThrow()) {
            BpfMap rec = record(own);
            BpfProgram t = target(own, "probe", engine);
            BpfLink link = attach(own, observer(own, t, "probe", rec, 0, engine));
            run(t, 1);
            assertEquals(1, calls(rec));
            own.close();
            assertEquals(Errno.EBADF, assertThrows(BpfException.class, link::info).errno(), "the link went with its runtime");
            assertEquals(0, ((org.bpfsdt.core.runtime.CoreRuntime) own).heap().liveAllocations(), "and every native allocation");
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void aTargetStaysLoadedWhileALinkHoldsIt(String engine) {
        BpfMap rec = record(rt);
        BpfProgram t = target(rt, "probe", engine);
        int targetId = t.id();
        BpfProgram o = observer(rt, t, "probe", rec, 0, engine);
        BpfLink link = attach(rt, o);
        t.close();
        o.close();
        try (BpfProgram again = rt.progGetById(targetId).orElseThrow()) {
            run(again, 30);
            assertEquals(30, seen(rec, 0), "target and observer live on through the link");
        }
        link.close();
        assertFalse(rt.progGetById(targetId).isPresent(), "the last link let them go");
        assertTrue(rt.programs().isEmpty());
        rec.close();
    }
}
