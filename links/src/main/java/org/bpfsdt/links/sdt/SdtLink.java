package org.bpfsdt.links.sdt;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkType;
import org.bpfsdt.api.spi.LinkBackend;
import org.bpfsdt.api.spi.LinkContext;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.api.spi.SdtAttachPoint;

/**
 * A {@code BPF_LINK_TYPE_SDT} link: one observer attached to one probe. It holds the observer;
 * its probe's trampoline holds the target. Detaching (or closing the last handle) takes the
 * observer out of the trampoline; an update swaps the observer in place, atomically for runs.
 */
public final class SdtLink implements LinkBackend {
    private final ProbeTrampolines table;
    private final ProbeTrampoline trampoline;
    private final LinkContext context;
    private final String probe;
    private final int targetId;
    /** Guarded by the trampoline: the observer now, and the subscription to its engine moves. */
    private ProgramRef observer;
    private ProgramRef.Subscription observerMoves;
    private boolean detached;

    SdtLink(ProbeTrampolines table, ProbeTrampoline trampoline, ProgramRef observer, LinkContext context) {
        this.table = table;
        this.trampoline = trampoline;
        this.context = context;
        this.observer = observer;
        this.probe = trampoline.point().probe().probe().name();
        this.targetId = trampoline.point().target().id();
        this.observerMoves = observer.onEngineChange(trampoline::rebuild);
    }

    ProgramRef observer() {
        return observer;
    }

    @Override
    public LinkType type() {
        return LinkType.SDT;
    }

    @Override
    public int targetId() {
        return targetId;
    }

    @Override
    public String describe() {
        return "probe " + probe + " of program " + targetId;
    }

    /**
     * {@code BPF_LINK_UPDATE}: {@code newProgram} takes the observer's place in the call order,
     * in one patch of the site. It must be an observer loaded against the same probe of the same
     * target ({@code EINVAL}); a detached link has nothing to update ({@code ENOLINK}).
     */
    @Override
    public void update(ProgramRef newProgram) {
        SdtAttachPoint other = context.sdtAttachPoint(newProgram);
        try {
            if (other.target().id() != targetId || !other.probe().probe().name().equals(probe)) {
                throw new BpfException(Errno.EINVAL, "program " + newProgram.id() + " observes probe '" + other.probe().probe().name()
                        + "' of program " + other.target().id() + ", not this link's probe '" + probe + "' of program " + targetId);
            }
        } finally {
            other.close();
        }
        synchronized (trampoline) {
            if (detached) {
                throw new BpfException(Errno.ENOLINK, "link of " + describe() + " is detached");
            }
            ProgramRef old = observer;
            trampoline.replaced(() -> observer = newProgram, () -> observer = old);
            observerMoves.close();
            observerMoves = newProgram.onEngineChange(trampoline::rebuild);
            // the old observer may still run inside the old trampoline until a grace period passes
            context.afterGracePeriod(old::close);
        }
    }

    /** Takes the observer out of the probe's trampoline and releases it; harmless twice. */
    @Override
    public void detach() {
        ProgramRef released;
        synchronized (trampoline) {
            if (detached) {
                return;
            }
            detached = true;
            released = observer;
            observerMoves.close();
        }
        table.detach(this, trampoline);
        context.afterGracePeriod(released::close);
    }

    @Override
    public String toString() {
        return "SDT link: observer " + observer.id() + " on " + describe();
    }
}
