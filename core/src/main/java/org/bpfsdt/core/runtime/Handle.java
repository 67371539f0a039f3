package org.bpfsdt.core.runtime;

import java.util.concurrent.atomic.AtomicBoolean;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;

/** A handle on a runtime object, like a file descriptor: holds one reference until closed. */
abstract class Handle<T extends RuntimeObject> {
    final T object;
    private final AtomicBoolean open = new AtomicBoolean(true);

    /** Takes over a reference the caller already holds on {@code object}. */
    Handle(T object) {
        this.object = object;
    }

    public int id() {
        return object.id;
    }

    public boolean isOpen() {
        return open.get();
    }

    /** Drops this handle's reference; closing twice does nothing. */
    public void close() {
        if (open.compareAndSet(true, false)) {
            closed();
            object.release();
        }
    }

    /** Called once when the handle closes, before its reference goes. */
    void closed() {
    }

    /** The object, for an operation through this handle; {@code EBADF} once it is closed. */
    T live() {
        if (!open.get()) {
            throw new BpfException(Errno.EBADF, object + ": the handle is closed");
        }
        if (object.isFreed()) {
            throw new BpfException(Errno.EBADF, object + " was freed when its runtime closed");
        }
        return object;
    }

    /** A new reference on the object for a new handle. */
    T acquire() {
        T o = live();
        if (!o.tryAcquire()) {
            throw new BpfException(Errno.EBADF, o + " is being freed");
        }
        return o;
    }

    @Override
    public String toString() {
        return object + (isOpen() ? "" : " (closed handle)");
    }
}
