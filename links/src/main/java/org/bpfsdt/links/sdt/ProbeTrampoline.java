package org.bpfsdt.links.sdt;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.spi.LinkContext;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.api.spi.SdtAttachPoint;
import org.bpfsdt.api.spi.SdtSite;
import org.bpfsdt.api.spi.Trampoline;

/**
 * One probe's trampoline (the kernel's {@code bpf_trampoline} for an SDT probe): the observers
 * linked to the probe, in attach order, and the code the probe's site calls to run them. Every
 * change builds a new trampoline for the new list and patches the site to it in one step, so a
 * run executes the old list or the new one, never part of each; the old trampoline is freed
 * after a grace period, when no run can still be inside it. When the target or an observer moves
 * to another engine, the trampoline is rebuilt for the new code before it runs.
 */
final class ProbeTrampoline {
    private final SdtAttachPoint point;
    private final LinkContext context;
    private final ProgramRef.Subscription targetMoves;
    /** Guarded by this: the links in attach order, what the site calls, and the site it is attached to. */
    private final List<SdtLink> links = new ArrayList<>();
    private Trampoline installed;
    private SdtSite site;

    ProbeTrampoline(SdtAttachPoint point, LinkContext context) {
        this.point = point;
        this.context = context;
        this.targetMoves = point.target().onEngineChange(this::rebuild);
    }

    SdtAttachPoint point() {
        return point;
    }

    /** Adds {@code link} last; nothing changes if the site cannot be patched. */
    synchronized void add(SdtLink link) {
        links.add(link);
        try {
            rebuild();
        } catch (RuntimeException e) {
            links.remove(link);
            throw e;
        }
    }

    /** Rebuilds with {@code link}'s observer replaced (it keeps its place); restores the list if that fails. */
    synchronized void replaced(Runnable swap, Runnable undo) {
        swap.run();
        try {
            rebuild();
        } catch (RuntimeException e) {
            undo.run();
            throw e;
        }
    }

    /** Takes {@code link} out; true when it was the last one, the site a NOP again. */
    synchronized boolean remove(SdtLink link) {
        if (!links.remove(link)) {
            return links.isEmpty();
        }
        rebuild();
        return links.isEmpty();
    }

    /** Makes the site call the current observers, on the engine that runs the target now (NOP when none). */
    synchronized void rebuild() {
        Trampoline old = installed;
        SdtSite oldSite = site;
        if (links.isEmpty()) {
            if (oldSite != null) {
                oldSite.detach();
            }
            installed = null;
            site = null;
        } else {
            SdtSite now = point.site();
            Trampoline t = now.prepare(point.model(), links.stream().map(SdtLink::observer).toList());
            try {
                now.attach(t);
            } catch (RuntimeException e) {
                t.close();
                throw e;
            }
            installed = t;
            site = now;
            if (oldSite != null && !oldSite.equals(now)) {
                // the target moved: its old code may yet run (until a grace period passes), as a NOP
                oldSite.detach();
            }
        }
        if (old != null) {
            context.afterGracePeriod(old::close);
        }
    }

    /** Stops following the target and lets it go; the site must already be a NOP. */
    void close() {
        targetMoves.close();
        point.close();
    }
}
