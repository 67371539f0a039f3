package org.bpfsdt.core.runtime;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.LinkInfo;
import org.bpfsdt.api.spi.LinkBackend;

/** A link: its backend (from a {@link org.bpfsdt.api.spi.LinkProvider}) keeps its program attached until freed. */
final class LoadedLink extends RuntimeObject {
    final CoreRuntime runtime;
    final LinkBackend backend;
    final AttachType attachType;
    volatile int programId;

    LoadedLink(int id, CoreRuntime runtime, LinkBackend backend, AttachType attachType, int programId) {
        super(id);
        this.runtime = runtime;
        this.backend = backend;
        this.attachType = attachType;
        this.programId = programId;
    }

    LinkInfo info() {
        return new LinkInfo(id, backend.type(), programId, attachType, backend.targetId(), backend.describe());
    }

    @Override
    protected void free() {
        runtime.links.remove(id, this);
        backend.detach();
    }

    @Override
    public String toString() {
        return "link " + id + " (" + backend.type() + ")";
    }
}
