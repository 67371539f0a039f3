package org.bpfsdt.maps.support;

/**
 * Fixed-size native elements (hash map entries, trie nodes) carved from chunks of a map's
 * memory: fresh ones by bumping a pointer through the current chunk, reused ones from a free
 * list threaded through their first word (a freed element is unreachable, so that word is
 * free). Memory returns to the system only when the map closes. How many elements a map may
 * hold is the map's business (it counts them); the pool only grows when every element carved
 * so far is live or still waiting for a grace period.
 */
public final class ElementPool {
    private static final long MAX_CHUNK = 1 << 16;

    private final MapMemory memory;
    private final long elementSize;
    private long freeHead;
    private long bump;
    private long chunkEnd;
    /** Elements carved so far: the next chunk grows with it. */
    private long capacity;

    /** A pool of {@code elementSize}-byte elements (a multiple of 8) with room for {@code reserve} of them now. */
    public ElementPool(MapMemory memory, long elementSize, long reserve) {
        this.memory = memory;
        this.elementSize = elementSize;
        if (reserve > 0) {
            addChunk(reserve);
        }
    }

    /** A zeroed element, or 0 when no memory is left. */
    public synchronized long allocate() {
        long e;
        if (freeHead != 0) {
            e = freeHead;
            freeHead = Native.getLong(e);
            Native.zero(e, elementSize);
            return e;
        }
        if (bump == chunkEnd) {
            try {
                addChunk(Math.max(16, Math.min(capacity, MAX_CHUNK)));
            } catch (org.bpfsdt.api.BpfException noMemory) {
                return 0;
            }
        }
        e = bump;
        bump += elementSize;
        return e; // fresh chunk memory is zero already
    }

    public synchronized void free(long element) {
        Native.putLong(element, freeHead);
        freeHead = element;
    }

    private void addChunk(long n) {
        bump = memory.allocate(n * elementSize, 8).address();
        chunkEnd = bump + n * elementSize;
        capacity += n;
    }
}
