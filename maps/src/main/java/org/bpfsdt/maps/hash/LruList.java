package org.bpfsdt.maps.hash;

import static org.bpfsdt.maps.hash.ElementLayout.LRU_NEXT;
import static org.bpfsdt.maps.hash.ElementLayout.LRU_PREV;
import static org.bpfsdt.maps.hash.ElementLayout.REF;

import org.bpfsdt.maps.support.Native;

/**
 * The recency list of an LRU hash map, threaded through its elements: newest at the head.
 * Lookups only set an element's reference bit (no list change, so they stay lock-free, as the
 * kernel's {@code bpf_lru_node_set_ref}); eviction runs a clock hand from the tail that gives
 * referenced elements a second chance. All methods but {@link #touch} need the map's lock.
 */
final class LruList {
    private long head;
    private long tail;

    /** Marks {@code element} recently used; lock-free, and writes only when the bit is clear. */
    static void touch(long element) {
        if (Native.getInt(element + REF) == 0) {
            Native.putInt(element + REF, 1);
        }
    }

    void addHead(long e) {
        Native.putLong(e + LRU_PREV, 0);
        Native.putLong(e + LRU_NEXT, head);
        if (head != 0) {
            Native.putLong(head + LRU_PREV, e);
        } else {
            tail = e;
        }
        head = e;
    }

    void remove(long e) {
        long prev = Native.getLong(e + LRU_PREV);
        long next = Native.getLong(e + LRU_NEXT);
        if (prev != 0) {
            Native.putLong(prev + LRU_NEXT, next);
        } else {
            head = next;
        }
        if (next != 0) {
            Native.putLong(next + LRU_PREV, prev);
        } else {
            tail = prev;
        }
    }

    /**
     * The element to evict: from the tail, referenced elements lose their bit and move to the
     * head, at most {@code count} of them (one turn of the clock); then the tail goes. 0 when empty.
     */
    long victim(long count) {
        for (long turned = 0; tail != 0 && turned < count && Native.getInt(tail + REF) != 0; turned++) {
            long e = tail;
            Native.putInt(e + REF, 0);
            remove(e);
            addHead(e);
        }
        return tail;
    }
}
