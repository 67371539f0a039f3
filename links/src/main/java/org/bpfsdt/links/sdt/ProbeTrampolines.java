package org.bpfsdt.links.sdt;

import java.util.HashMap;
import java.util.Map;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.spi.LinkContext;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.api.spi.SdtAttachPoint;

/**
 * The trampolines of the probes that have observers, one per probe of a live target (the
 * kernel's trampoline table, keyed by target and probe). A trampoline exists from its probe's
 * first link to its last; it holds the target, so a target stays loaded while links use it.
 */
public final class ProbeTrampolines {
    /** A probe of a target: targets are told apart by their native descriptor, unique in the process while they live. */
    record Key(long targetDescriptor, String probe) {
    }

    private final Map<Key, ProbeTrampoline> byProbe = new HashMap<>();

    /** Attaches the observer of {@code spec} to its probe; the new link, or an exception with nothing attached. */
    public SdtLink link(LinkSpec spec, LinkContext context) {
        ProgramRef observer = context.reference(spec.program());
        try {
            SdtAttachPoint point = context.sdtAttachPoint(observer);
            try {
                if (spec.target() != null && spec.target().id() != point.target().id()) {
                    throw new BpfException(Errno.EINVAL, "observer " + observer.id() + " was loaded against program "
                            + point.target().id() + ", not program " + spec.target().id());
                }
                return attach(point, observer, context);
            } catch (RuntimeException e) {
                point.close();
                throw e;
            }
        } catch (RuntimeException e) {
            observer.close();
            throw e;
        }
    }

    /** Adds a link for {@code observer} to the probe's trampoline, which takes over {@code point} when it is new. */
    private synchronized SdtLink attach(SdtAttachPoint point, ProgramRef observer, LinkContext context) {
        Key key = new Key(point.target().descriptor(), point.probe().probe().name());
        ProbeTrampoline tr = byProbe.get(key);
        boolean created = tr == null;
        if (created) {
            tr = new ProbeTrampoline(point, context);
        }
        SdtLink link = new SdtLink(this, tr, observer, context);
        try {
            tr.add(link);
        } catch (RuntimeException e) {
            if (created) {
                tr.close();
            }
            throw e;
        }
        if (created) {
            byProbe.put(key, tr);
        } else {
            point.close(); // the trampoline already holds the target
        }
        return link;
    }

    /** Takes {@code link} out of its trampoline; the last link out restores the NOP and lets the target go. */
    synchronized void detach(SdtLink link, ProbeTrampoline tr) {
        if (tr.remove(link)) {
            byProbe.values().remove(tr);
            tr.close();
        }
    }

    /** Probes with observers now. */
    public synchronized int size() {
        return byProbe.size();
    }
}
