package org.bpfsdt.links;

import java.util.Set;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.spi.LinkBackend;
import org.bpfsdt.api.spi.LinkContext;
import org.bpfsdt.api.spi.LinkProvider;
import org.bpfsdt.links.sdt.ProbeTrampolines;
import org.osgi.service.component.annotations.Component;

/**
 * {@code BPF_LINK_CREATE} for {@link AttachType#TRACE_SDT}: attaches an SDT observer (a program
 * loaded against a probe of a target program) to that probe. The observer's load found the
 * probe; the link adds the observer to the probe's trampoline and patches the probe's NOP into a
 * call of it while the target may be running. Closing the link takes the observer out, and the
 * last one out restores the NOP.
 */
@Component(service = LinkProvider.class)
public final class SdtLinkProvider implements LinkProvider {
    private final ProbeTrampolines trampolines = new ProbeTrampolines();

    @Override
    public Set<AttachType> attachTypes() {
        return Set.of(AttachType.TRACE_SDT);
    }

    @Override
    public LinkBackend create(LinkSpec spec, LinkContext context) {
        if (spec.attachType() != AttachType.TRACE_SDT) {
            throw new BpfException(Errno.EINVAL, "this provider links SDT observers (TRACE_SDT), not " + spec.attachType());
        }
        return trampolines.link(spec, context);
    }

    /** Probes with a trampoline now (observers attached), for tests and listings. */
    public int activeProbes() {
        return trampolines.size();
    }
}
