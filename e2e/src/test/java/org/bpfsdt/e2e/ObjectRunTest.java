package org.bpfsdt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.core.runtime.ServiceLoaderRuntime;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectProgram;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every test program and yardstick program, loaded with the loader into a runtime with the real
 * verifier and maps, returns its documented value and leaves its documented maps, packet, context
 * and trace output, on every engine that runs on this host.
 */
class ObjectRunTest {

    /** The engines to run on: the interpreter and every JIT whose code runs here. */
    static List<String> engines(CoreRuntime rt) {
        return rt.engines().stream().filter(EngineInfo::hostNative).map(EngineInfo::name).toList();
    }

    @TestFactory
    Stream<DynamicTest> everyProgramReturnsItsDocumentedResult() {
        List<DynamicTest> tests = new ArrayList<>();
        try (CoreRuntime probe = new ServiceLoaderRuntime()) {
            for (String engine : engines(probe)) {
                for (ProgramCase c : Catalogue.all()) {
                    tests.add(DynamicTest.dynamicTest(engine + ": " + c.name(), () -> check(c, engine)));
                }
            }
        }
        return tests.stream();
    }

    private static void check(ProgramCase c, String engine) {
        try (CoreRuntime rt = new ServiceLoaderRuntime()) {
            ProgramCase.Outcome o = CaseRunner.run(c, rt, engine);
            try (LoadedObject loaded = o.object()) {
                for (int i = 0; i < c.runs().size(); i++) {
                    ProgramCase.Run r = c.runs().get(i);
                    TestRunResult result = o.results().get(i);
                    assertEquals(r.retval(), result.retval(), r.program());
                    assertEquals(engine, result.engine(), r.program() + " ran on " + result.engine());
                }
                c.expect().accept(o);
            }
            assertEquals(0, rt.heap().liveAllocations(), "the runtime's native memory is back after the object closed");
            assertTrue(rt.programs().isEmpty() && rt.maps().isEmpty(), "nothing stays loaded after the object closed");
        }
    }

    @Test
    void everyObjectLoadsWithAllItsPrograms() {
        List<Path> objects = new ArrayList<>(Shared.objectsIn(Shared.testprogs()));
        objects.addAll(Shared.objectsIn(Shared.benchProgs()));
        objects.removeIf(p -> p.getFileName().toString().equals("sdt_like_observer.o"));
        for (Path path : objects) {
            try (CoreRuntime rt = new ServiceLoaderRuntime()) {
                ObjectFile obj = ObjectFile.open(path);
                for (ObjectProgram p : obj.programs()) {
                    if (p.type() == null) {
                        p.setType(ProgramType.XDP);
                    }
                    // an SDT observer loads only against a target's probe (the SDT tests do that)
                    p.setAutoload(p.attachType() != AttachType.TRACE_SDT);
                }
                long autoloaded = obj.programs().stream().filter(ObjectProgram::autoload).count();
                try (LoadedObject loaded = obj.load(rt)) {
                    assertEquals(autoloaded, loaded.programs().size(), path.getFileName().toString());
                }
            }
        }
    }

    /** The yardstick fentry observer loads against the sdt_like program's subprogram and reads its arguments. */
    @Test
    void theYardstickObserverLoadsAgainstItsTarget() {
        try (CoreRuntime rt = new ServiceLoaderRuntime();
             LoadedObject target = ObjectFile.open(Shared.benchProgs().resolve("sdt_like.o")).load(rt)) {
            ObjectFile observer = ObjectFile.open(Shared.benchProgs().resolve("sdt_like_observer.o"));
            observer.program("observe_trace_point").setAttachTarget(target.program("sdt_like"), "trace_point");
            try (LoadedObject o = observer.load(rt)) {
                BpfProgram p = o.program("observe_trace_point");
                assertEquals(ProgramType.TRACING, p.type());
                assertEquals(0, p.testRun(TestRunSpec.ctx(Catalogue.u64s(64, 2))).retval());
                assertEquals(64, o.global("obs_len").longValue());
                assertEquals(2, o.global("obs_ret").longValue());
                assertEquals(1, o.global("obs_hits").longValue());
            }
        }
    }
}
