package org.bpfsdt.core.runtime;

import java.lang.invoke.VarHandle;
import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.SdtSite;
import org.bpfsdt.api.spi.Trampoline;
import org.bpfsdt.core.engine.Interpreted;
import org.bpfsdt.core.engine.Jitted;
import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.ProbeDispatch;

/** The site of a target's SDT probe on the engine that runs it: the interpreter's probe table, or a JIT image's patchable NOP. */
final class ProbeSites {
    private ProbeSites() {
    }

    /** Probe {@code index} of {@code target} on the executable installed last. */
    static SdtSite of(LoadedProgram target, int index) {
        return switch (target.latest()) {
            case Interpreted i -> new InterpretedSite(target, index, i.program());
            case Jitted j -> new JittedSite(target, index, j);
        };
    }

    private static SdtProbe probe(LoadedProgram target, int index) {
        return target.sdtProbes.probes().get(index);
    }

    /** The observers behind {@code refs}, each checked to be loaded against probe {@code probe} of {@code target}. */
    private static List<LoadedProgram> observers(LoadedProgram target, SdtProbe probe, List<ProgramRef> refs) {
        return refs.stream().map(r -> {
            LoadedProgram o = ProgramReference.of(r, target.runtime);
            if (o.observedProbe == null || o.attachTarget != target || !o.observedProbe.probe().name().equals(probe.name())) {
                throw new BpfException(Errno.EINVAL, o + " was not loaded as an observer of probe '" + probe.name() + "' of " + target);
            }
            return o;
        }).toList();
    }

    /** An interpreted target: the site looks its dispatch up in the decoded program's probe table. */
    record InterpretedSite(LoadedProgram target, int index, DecodedProgram code) implements SdtSite {
        @Override
        public SdtProbe probe() {
            return ProbeSites.probe(target, index);
        }

        @Override
        public String engine() {
            return org.bpfsdt.api.EngineInfo.INTERPRETER;
        }

        @Override
        public long address() {
            return 0;
        }

        @Override
        public Trampoline prepare(FuncModel model, List<ProgramRef> refs) {
            // observers run on whatever engine runs each of them at the time of the call
            return new ProbeDispatch(model, observers(target, probe(), refs).stream().map(LoadedProgram::engine).toList());
        }

        @Override
        public void attach(Trampoline trampoline) {
            if (!(trampoline instanceof ProbeDispatch d)) {
                throw new BpfException(Errno.EINVAL, "an interpreted probe site calls what its own prepare() made, not " + trampoline);
            }
            code.attachProbe(index, d);
            // runs that start after attach() returns see the dispatch (the store is ordered before our later loads)
            VarHandle.fullFence();
        }

        @Override
        public void detach() {
            code.attachProbe(index, null);
            VarHandle.fullFence();
        }
    }

    /** A JIT-compiled target: a trampoline from the JIT service, called by patching the image's NOP. */
    record JittedSite(LoadedProgram target, int index, Jitted code) implements SdtSite {
        @Override
        public SdtProbe probe() {
            return ProbeSites.probe(target, index);
        }

        @Override
        public String engine() {
            return code.engineName();
        }

        @Override
        public long address() {
            return code.image().probeSites().get(index).address();
        }

        @Override
        public Trampoline prepare(FuncModel model, List<ProgramRef> refs) {
            long[] entries = observers(target, probe(), refs).stream().mapToLong(LoadedProgram::nativeEntry).toArray();
            return code.service().compiler().createTrampoline(model, entries);
        }

        @Override
        public void attach(Trampoline trampoline) {
            code.image().attachProbe(index, trampoline);
            VarHandle.fullFence();
        }

        @Override
        public void detach() {
            code.image().detachProbe(index);
            VarHandle.fullFence();
        }
    }
}
