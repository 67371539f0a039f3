package org.bpfsdt.core.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * Native memory for Java's map operations, one growable buffer per thread: keys and values are
 * copied into it, instead of into a fresh arena per call (which costs more than the operation).
 * A nested call on the same thread gets an arena of its own. Buffers are freed by the GC with
 * their thread's entry.
 */
final class CallBuffers {
    private static final long MIN = 256;

    private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(Slot::new);

    private static final class Slot {
        MemorySegment memory = MemorySegment.NULL;
        boolean busy;
    }

    /** Runs {@code body} on at least {@code bytes} of native memory (8-byte aligned) that is valid only during the call. */
    <T> T with(long bytes, Function<MemorySegment, T> body) {
        Slot s = slots.get();
        if (s.busy) {
            try (Arena arena = Arena.ofConfined()) {
                return body.apply(arena.allocate(Math.max(1, bytes), 16));
            }
        }
        if (s.memory.byteSize() < bytes) {
            s.memory = Arena.ofAuto().allocate(Math.max(MIN, Long.highestOneBit(bytes - 1) << 1), 16);
        }
        s.busy = true;
        try {
            return body.apply(s.memory);
        } finally {
            s.busy = false;
        }
    }
}
