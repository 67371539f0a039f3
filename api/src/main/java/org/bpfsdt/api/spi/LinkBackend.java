package org.bpfsdt.api.spi;

import org.bpfsdt.api.LinkType;

/** One link's implementation. */
public interface LinkBackend {
    LinkType type();

    /** The id of the program attached to, or 0. */
    int targetId();

    /** A one-line description for listings. */
    String describe();

    /** Replaces the attached program atomically; the old reference is released by the backend. */
    void update(ProgramRef newProgram);

    /** Detaches and releases every reference the link holds. Idempotent. */
    void detach();
}
