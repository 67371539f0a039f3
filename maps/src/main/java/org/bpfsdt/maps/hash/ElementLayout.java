package org.bpfsdt.maps.hash;

import org.bpfsdt.maps.support.Native;

/**
 * A hash map element in native memory:
 * <pre>
 *  0 u64 next            next element of the bucket, 0 at the end
 *  8 u32 hash
 * 12 u32 ref             LRU maps: set by lookups, cleared when the clock hand passes
 * 16 u64 lru_prev        LRU maps only
 * 24 u64 lru_next        LRU maps only
 *  K key                 rounded up to 8 bytes
 *  V value               rounded up to 8 bytes; per-CPU maps: one per possible CPU
 * </pre>
 */
record ElementLayout(long keyOffset, long valueOffset, long valueStride, long size) {
    static final long NEXT = 0, HASH = 8, REF = 12, LRU_PREV = 16, LRU_NEXT = 24;

    static ElementLayout of(boolean lru, int keySize, int valueSize, int cpus) {
        long key = lru ? 32 : 16;
        long value = key + Native.round8(keySize);
        long stride = Native.round8(valueSize);
        return new ElementLayout(key, value, stride, value + stride * cpus);
    }
}
