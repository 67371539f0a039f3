package org.bpfsdt.core.runtime;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.api.spi.LinkContext;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.api.spi.SdtAttachPoint;

/** What the runtime offers link providers: program references, SDT attach points, grace periods. */
final class RuntimeLinkContext implements LinkContext {
    private final CoreRuntime runtime;

    RuntimeLinkContext(CoreRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public ProgramRef reference(BpfProgram program) {
        return runtime.reference(program);
    }

    @Override
    public SdtAttachPoint sdtAttachPoint(ProgramRef observer) {
        LoadedProgram o = ProgramReference.of(observer, runtime);
        if (o.observedProbe == null) {
            throw new BpfException(Errno.EINVAL, o + " was not loaded as an SDT observer (expected attach type TRACE_SDT "
                    + "with a target program and a probe name)");
        }
        LoadedProgram target = o.attachTarget;
        int index = SdtLoad.indexOf(target, o.observedProbe.probe().name());
        if (index < 0 || !target.tryAcquire()) {
            throw new BpfException(Errno.ENOENT, "probe '" + o.observedProbe.probe().name() + "' of " + target + " is gone");
        }
        ProgramReference held = new ProgramReference(target);
        try {
            FuncModel model = FuncModel.ofProbe(target.btf, target.sdtProbes.probes().get(index));
            return new ProbeAttachPoint(held, index, o.observedProbe, model);
        } catch (RuntimeException e) {
            held.close();
            throw e;
        }
    }

    @Override
    public void afterGracePeriod(Runnable action) {
        runtime.grace().defer(action);
    }
}
