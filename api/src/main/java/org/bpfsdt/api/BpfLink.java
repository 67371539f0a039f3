package org.bpfsdt.api;

/** A link: keeps a program attached while it is open. Closing the last handle detaches it. */
public interface BpfLink extends BpfObject {
    LinkInfo info();

    /** {@code BPF_LINK_UPDATE}: attach {@code newProgram} in place of the current program, atomically. */
    void update(BpfProgram newProgram);

    /** {@code BPF_LINK_DETACH}: detach now, though handles stay open. */
    void detach();

    /** A new handle on the same link. */
    BpfLink dup();
}
