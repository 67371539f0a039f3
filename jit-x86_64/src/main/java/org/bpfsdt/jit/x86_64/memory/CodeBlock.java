package org.bpfsdt.jit.x86_64.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Code mapped twice from one memfd: an executable, read-only view that runs, and (for code that
 * is patched live) a writable, non-executable view of the same pages. No mapping is ever both.
 */
@SuppressWarnings("restricted") // views of mapped code
public final class CodeBlock implements AutoCloseable {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final CodeSpace space;
    private final long executable;
    private final long writable;
    private final long size;
    private final boolean reserved;
    private boolean released;

    CodeBlock(CodeSpace space, long executable, long writable, long size, boolean reserved) {
        this.space = space;
        this.executable = executable;
        this.writable = writable;
        this.size = size;
        this.reserved = reserved;
    }

    /** The address code runs at. */
    public long address() {
        return executable;
    }

    /** Bytes mapped (whole pages). */
    public long size() {
        return size;
    }

    boolean reserved() {
        return reserved;
    }

    long writableAddress() {
        return writable;
    }

    /** Whether the code can be patched ({@link #storeLong}). */
    public boolean patchable() {
        return writable != 0;
    }

    /** The 8-byte word at {@code offset} (a multiple of 8), as running code sees it. */
    public long loadLong(long offset) {
        return (long) LONG.getVolatile(view(executable), offset);
    }

    /**
     * Replaces the aligned 8-byte word at {@code offset} with one store, so a thread executing
     * this code sees either the old word or the new one, never a mix.
     */
    public void storeLong(long offset, long value) {
        if (writable == 0) {
            throw new IllegalStateException("this code was mapped without a writable view");
        }
        if ((offset & 7) != 0 || offset < 0 || offset + 8 > size) {
            throw new IllegalArgumentException("patch offset " + offset + " is not an aligned word of the block");
        }
        LONG.setVolatile(view(writable), offset, value);
    }

    private MemorySegment view(long address) {
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    /** Unmaps both views; the caller guarantees no thread still runs this code. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        space.release(this);
    }
}
