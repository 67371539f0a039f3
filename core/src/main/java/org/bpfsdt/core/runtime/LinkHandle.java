package org.bpfsdt.core.runtime;

import org.bpfsdt.api.BpfLink;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.LinkInfo;

/** A handle on a link. */
final class LinkHandle extends Handle<LoadedLink> implements BpfLink {

    LinkHandle(LoadedLink link) {
        super(link);
    }

    @Override
    public LinkInfo info() {
        return live().info();
    }

    @Override
    public void update(BpfProgram newProgram) {
        LoadedLink l = live();
        ProgramReference ref = l.runtime.reference(newProgram);
        try {
            l.backend.update(ref);
        } catch (RuntimeException e) {
            ref.close();
            throw e;
        }
        l.programId = ref.id();
    }

    @Override
    public void detach() {
        LoadedLink l = live();
        l.backend.detach();
        l.programId = 0;
    }

    @Override
    public BpfLink dup() {
        return new LinkHandle(acquire());
    }
}
