package org.bpfsdt.core.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A runtime object (program, map, link) with the kernel's reference counting: handles, links,
 * programs and PROG_ARRAY slots each hold one reference; the object is freed when the last goes.
 */
abstract class RuntimeObject {
    private final AtomicInteger refs = new AtomicInteger(1);
    private final AtomicBoolean freed = new AtomicBoolean();
    final int id;

    RuntimeObject(int id) {
        this.id = id;
    }

    /** Takes a reference unless the object is already being freed. */
    final boolean tryAcquire() {
        for (;;) {
            int r = refs.get();
            if (r == 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    final void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            freeOnce();
        } else if (r < 0) {
            throw new IllegalStateException(this + " released more often than acquired");
        }
    }

    /** References held now (for tests and listings). */
    final int refCount() {
        return refs.get();
    }

    /** Frees the object now, whatever references remain (the runtime is closing); at most once. */
    final void freeOnce() {
        if (freed.compareAndSet(false, true)) {
            free();
        }
    }

    /** Whether the object has been freed (its handles then fail with EBADF). */
    final boolean isFreed() {
        return freed.get();
    }

    /** Frees what the object holds; called once, by the last release or when the runtime closes. */
    protected abstract void free();
}
