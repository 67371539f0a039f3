package org.bpfsdt.core.runtime;

import java.util.concurrent.atomic.AtomicBoolean;

import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.api.spi.SdtAttachPoint;
import org.bpfsdt.api.spi.SdtProbeInfo;
import org.bpfsdt.api.spi.SdtSite;

/** A target's SDT probe lent to a link, with a reference on the target until closed. */
final class ProbeAttachPoint implements SdtAttachPoint {
    private final ProgramReference target;
    private final int index;
    private final SdtProbeInfo probe;
    private final FuncModel model;
    private final AtomicBoolean open = new AtomicBoolean(true);

    /** Takes over {@code target}, a reference the caller acquired. */
    ProbeAttachPoint(ProgramReference target, int index, SdtProbeInfo probe, FuncModel model) {
        this.target = target;
        this.index = index;
        this.probe = probe;
        this.model = model;
    }

    @Override
    public ProgramRef target() {
        return target;
    }

    @Override
    public SdtProbeInfo probe() {
        return probe;
    }

    @Override
    public FuncModel model() {
        return model;
    }

    @Override
    public SdtSite site() {
        return ProbeSites.of(target.program(), index);
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            target.close();
        }
    }

    @Override
    public String toString() {
        return "probe '" + probe.probe().name() + "' of " + target.program();
    }
}
