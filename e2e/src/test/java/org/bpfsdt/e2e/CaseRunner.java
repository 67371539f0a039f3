package org.bpfsdt.e2e;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectProgram;
import org.bpfsdt.oracle.KernelBpf;
import org.bpfsdt.oracle.KernelObject;

/** Runs a {@link ProgramCase} on this runtime (on a chosen engine) or in the kernel. */
final class CaseRunner {
    private CaseRunner() {
    }

    /** The object as the case configures it, opened afresh (configuration changes the object). */
    static ObjectFile open(ProgramCase c) {
        ObjectFile obj = ObjectFile.open(c.object());
        c.configure().accept(obj);
        return obj;
    }

    /**
     * Loads the case's object into {@code rt} with every program on {@code engine}, fills its maps,
     * runs its programs in order; the caller closes the returned object.
     */
    static ProgramCase.Outcome run(ProgramCase c, CoreRuntime rt, String engine) {
        ObjectFile obj = open(c);
        for (ObjectProgram p : obj.programs()) {
            p.setEngine(engine);
        }
        LoadedObject loaded = obj.load(rt);
        try {
            c.fill().accept((map, key, value) -> loaded.map(map).update(key, value, MapFlags.ANY));
            rt.tracePipe().drain();
            List<TestRunResult> results = new ArrayList<>();
            for (ProgramCase.Run r : c.runs()) {
                BpfProgram p = loaded.program(r.program());
                results.add(p.testRun(new TestRunSpec(r.data(), r.ctx(), 1, 0)));
            }
            List<TracePipe.Line> trace = rt.tracePipe().drain();
            return new ProgramCase.Outcome(loaded, results, trace);
        } catch (RuntimeException | Error e) {
            loaded.close();
            throw e;
        }
    }

    /** The same runs in the kernel, on {@code k} loaded from the case's object. */
    static List<KernelBpf.TestRun> runInKernel(ProgramCase c, KernelObject k) {
        c.fill().accept(k::update);
        List<KernelBpf.TestRun> out = new ArrayList<>();
        for (ProgramCase.Run r : c.runs()) {
            out.add(k.run(r.program(), r.data(), r.ctx(), 1));
        }
        return out;
    }
}
