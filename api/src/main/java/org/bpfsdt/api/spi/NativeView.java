package org.bpfsdt.api.spi;

import java.lang.foreign.MemorySegment;

/** The whole address space as one segment, for the few api helpers that work on raw native addresses. */
final class NativeView {
    private NativeView() {
    }

    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
}
