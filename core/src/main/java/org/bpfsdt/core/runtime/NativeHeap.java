package org.bpfsdt.core.runtime;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicLong;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;

/**
 * The runtime's small native allocations (map headers, program descriptors): {@code calloc} and
 * {@code free}, each freed on its own, counted so tests can check that every error path and every
 * close gives back what it took.
 */
public final class NativeHeap {
    private static final MethodHandle CALLOC;
    private static final MethodHandle FREE;

    static {
        Linker linker = Linker.nativeLinker();
        CALLOC = linker.downcallHandle(linker.defaultLookup().find("calloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));
    }

    private final AtomicLong live = new AtomicLong();

    /** {@code size} zeroed bytes, 16-byte aligned; {@code ENOMEM} when there are none. */
    public long allocate(long size, String what) {
        long a;
        try {
            a = (long) CALLOC.invokeExact(1L, size);
        } catch (Throwable t) {
            throw new BpfException(Errno.ENOMEM, "cannot allocate " + size + " bytes for " + what, t);
        }
        if (a == 0) {
            throw new BpfException(Errno.ENOMEM, "cannot allocate " + size + " bytes for " + what);
        }
        live.incrementAndGet();
        return a;
    }

    /** Frees what {@link #allocate} returned; 0 is ignored. */
    public void free(long address) {
        if (address == 0) {
            return;
        }
        try {
            FREE.invokeExact(address);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
        live.decrementAndGet();
    }

    /** Allocations not freed yet. */
    public long liveAllocations() {
        return live.get();
    }
}
