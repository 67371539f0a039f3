package org.bpfsdt.maps.array;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.bpfsdt.maps.support.CreateChecks;
import org.bpfsdt.maps.support.Native;

/** Keys of array-like maps: a u32 index. */
final class ArrayKeys {
    private ArrayKeys() {
    }

    /** The index a program's key at native {@code keyAddr} holds. */
    static long index(long keyAddr) {
        return Integer.toUnsignedLong(Native.getIntUnaligned(keyAddr));
    }

    /** The index a Java key holds. */
    static long index(MemorySegment key) {
        return Integer.toUnsignedLong(key.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
    }

    /**
     * {@code bpf_array_get_next_key}: after a missing or out-of-range key comes index 0, after
     * the last index nothing.
     */
    static boolean nextKey(MemorySegment key, MemorySegment nextOut, long maxEntries) {
        long index = key == null ? 0xffffffffL : index(key);
        long next;
        if (index >= maxEntries) {
            next = 0;
        } else if (index == maxEntries - 1) {
            return false;
        } else {
            next = index + 1;
        }
        nextOut.set(ValueLayout.JAVA_INT_UNALIGNED, 0, (int) next);
        return true;
    }

    /** The kernel's {@code index_mask}: {@code roundup_pow_of_two(max_entries) - 1}, so masking never leaves the (padded) storage. */
    static long indexMask(long maxEntries) {
        return CreateChecks.roundUpPowerOfTwo(maxEntries) - 1;
    }
}
