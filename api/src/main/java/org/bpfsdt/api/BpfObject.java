package org.bpfsdt.api;

/**
 * A handle to a runtime object (program, map, link), like a file descriptor in the kernel: the
 * object lives while any handle, link or program still holds it. {@link #close()} drops this
 * handle's reference once; closing twice is harmless.
 */
public interface BpfObject extends AutoCloseable {
    /** The object's id, unique among live objects of its kind in one runtime (kernel ids). */
    int id();

    /** Whether this handle is still open. */
    boolean isOpen();

    @Override
    void close();
}
