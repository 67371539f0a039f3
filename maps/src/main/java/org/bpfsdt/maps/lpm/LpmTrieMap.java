package org.bpfsdt.maps.lpm;

import static org.bpfsdt.api.MapFlags.NO_PREALLOC;
import static org.bpfsdt.api.MapFlags.NUMA_NODE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.maps.support.AbstractMap;
import org.bpfsdt.maps.support.CreateChecks;
import org.bpfsdt.maps.support.ElementPool;
import org.bpfsdt.maps.support.MapMemory;
import org.bpfsdt.maps.support.MemoryAccounting;
import org.bpfsdt.maps.support.Native;
import org.bpfsdt.maps.support.Recycler;
import org.bpfsdt.maps.support.ValueFields;

/**
 * {@code BPF_MAP_TYPE_LPM_TRIE} ({@code kernel/bpf/lpm_trie.c}): longest-prefix match on keys
 * {@code struct { u32 prefixlen; u8 data[]; }} whose data bits are compared most significant
 * first (network order). The same binary trie as the kernel's: a node per prefix, intermediate
 * nodes where two prefixes part, so {@code get_next_key} walks in the kernel's post-order (more
 * specific prefixes first). Nodes live in native memory:
 * <pre>
 *  0 u64 child[2]
 * 16 u32 prefixlen
 * 20 u32 flags          1 = intermediate (no value)
 * 24 u8  data[]         rounded up to 8
 *  V value
 * </pre>
 * Programs walk it without locks; writers take the trie's lock, and a node leaves memory only
 * after a grace period.
 */
public final class LpmTrieMap extends AbstractMap {
    /** {@code LPM_CREATE_FLAG_MASK}. */
    static final int CREATE_FLAG_MASK = NO_PREALLOC | NUMA_NODE | CreateChecks.ACCESS_MASK;
    static final int DATA_SIZE_MIN = 1, DATA_SIZE_MAX = 256;
    /** {@code LPM_VAL_SIZE_MAX}: what fits a kmalloc'ed node with the largest key. */
    static final long VALUE_SIZE_MAX = CreateChecks.KMALLOC_MAX_SIZE - DATA_SIZE_MAX - 40;

    private static final long CHILD0 = 0, CHILD1 = 8, PREFIXLEN = 16, FLAGS = 20, DATA = 24;
    private static final int FLAG_INTERMEDIATE = 1;
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final int dataSize;
    private final long maxPrefixlen;
    private final long valueOffset;
    /** Where the root pointer lives, so the root is a slot like any child. */
    private final long rootSlot;
    private final ElementPool pool;
    private final Recycler recycler;
    /** Entries with a value (not intermediate nodes); guarded by this. */
    private long entries;

    private LpmTrieMap(MapSpec spec, MapContext context, MapMemory memory) {
        super(spec, context, memory);
        this.dataSize = keySize - 4;
        this.maxPrefixlen = dataSize * 8L;
        this.valueOffset = DATA + Native.round8(dataSize);
        this.rootSlot = memory.allocate(Long.BYTES, Long.BYTES).address();
        this.pool = new ElementPool(memory, valueOffset + Native.round8(valueSize), 0);
        this.recycler = new Recycler(context, pool::free);
    }

    /** Creates an LPM_TRIE map, checking the spec as {@code trie_alloc} does. */
    public static LpmTrieMap create(MapSpec spec, MapContext context, MemoryAccounting accounting) {
        CreateChecks.check(spec.maxEntries() == 0, Errno.EINVAL, spec, "max_entries must not be 0");
        CreateChecks.check((spec.flags() & NO_PREALLOC) == 0, Errno.EINVAL, spec, "BPF_F_NO_PREALLOC is required: tries are never preallocated");
        CreateChecks.flags(spec, CREATE_FLAG_MASK);
        CreateChecks.check(spec.keySize() < 4 + DATA_SIZE_MIN || spec.keySize() > 4 + DATA_SIZE_MAX, Errno.EINVAL, spec,
                "keys are a u32 prefixlen and %d..%d data bytes: key_size must be %d..%d, got %d",
                DATA_SIZE_MIN, DATA_SIZE_MAX, 4 + DATA_SIZE_MIN, 4 + DATA_SIZE_MAX, spec.keySize());
        CreateChecks.check(spec.valueSize() < 1 || spec.valueSize() > VALUE_SIZE_MAX, Errno.EINVAL, spec,
                "value_size must be 1..%d, got %d", VALUE_SIZE_MAX, Integer.toUnsignedLong(spec.valueSize()));
        ValueFields.of(spec);
        return MapMemory.build(accounting, memory -> new LpmTrieMap(spec, context, memory));
    }

    // node fields -------------------------------------------------------------------------

    private static long child(long node, int bit) {
        return Native.getLongAcquire(childSlot(node, bit));
    }

    private static long childSlot(long node, int bit) {
        return node + (bit == 0 ? CHILD0 : CHILD1);
    }

    private static long prefixlen(long node) {
        return Integer.toUnsignedLong(Native.getInt(node + PREFIXLEN));
    }

    private static boolean intermediate(long node) {
        return (Native.getIntAcquire(node + FLAGS) & FLAG_INTERMEDIATE) != 0;
    }

    private static long keyPrefixlen(MemorySegment key, long off) {
        return Integer.toUnsignedLong(key.get(ValueLayout.JAVA_INT_UNALIGNED, off));
    }

    /** Bit {@code index} of the data, most significant bit of byte 0 first ({@code extract_bit}). */
    private static int bit(MemorySegment seg, long data, long index) {
        return (seg.get(ValueLayout.JAVA_BYTE, data + index / 8) >> (7 - (int) (index % 8))) & 1;
    }

    /** {@code longest_prefix_match}: leading bits the node's data shares with the key's, at most both prefix lengths. */
    private long matchLen(long node, MemorySegment key, long keyOff, long keyPrefixlen) {
        long limit = Math.min(prefixlen(node), keyPrefixlen);
        long nd = node + DATA;
        long kd = keyOff + 4;
        long matched = 0;
        int i = 0;
        for (; i + 8 <= dataSize; i += 8) {
            long diff = Native.ALL.get(BE_LONG, nd + i) ^ key.get(BE_LONG, kd + i);
            matched += Long.numberOfLeadingZeros(diff);
            if (matched >= limit) {
                return limit;
            }
            if (diff != 0) {
                return matched;
            }
        }
        for (; i < dataSize; i++) {
            int diff = (Native.ALL.get(ValueLayout.JAVA_BYTE, nd + i) ^ key.get(ValueLayout.JAVA_BYTE, kd + i)) & 0xff;
            matched += Integer.numberOfLeadingZeros(diff) - 24;
            if (matched >= limit) {
                return limit;
            }
            if (diff != 0) {
                return matched;
            }
        }
        return Math.min(matched, limit);
    }

    // lookups -----------------------------------------------------------------------------

    /** {@code trie_lookup_elem}: the node with the longest prefix that matches the key, or 0. */
    private long longestMatch(MemorySegment key, long off) {
        long plen = keyPrefixlen(key, off);
        if (plen > maxPrefixlen) {
            return 0;
        }
        long found = 0;
        for (long node = Native.getLongAcquire(rootSlot); node != 0;) {
            long m = matchLen(node, key, off, plen);
            if (m == maxPrefixlen) {
                return node;
            }
            long np = prefixlen(node);
            if (m < np) {
                break;
            }
            if (!intermediate(node)) {
                found = node;
            }
            node = child(node, bit(key, off + 4, np));
        }
        return found;
    }

    @Override
    public long lookup(long keyAddr) {
        long node = longestMatch(Native.ALL, keyAddr);
        return node == 0 ? 0 : node + valueOffset;
    }

    @Override
    public long update(long keyAddr, long valueAddr, long flags) {
        return programReadOnly ? err(Errno.EACCES) : store(Native.ALL, keyAddr, Native.ALL, valueAddr, flags);
    }

    @Override
    public long delete(long keyAddr) {
        return programReadOnly ? err(Errno.EACCES) : remove(Native.ALL, keyAddr);
    }

    // updates -----------------------------------------------------------------------------

    /** {@code trie_check_add_elem}: a new entry is about to be counted. */
    private long checkAdd(long flags) {
        if (flags == MapFlags.EXIST) {
            return err(Errno.ENOENT);
        }
        if (entries == maxEntries) {
            return err(Errno.ENOSPC);
        }
        entries++;
        return 0;
    }

    /** {@code trie_update_elem}. */
    private long store(MemorySegment key, long off, MemorySegment value, long valueOff, long flags) {
        if (flags < 0 || flags > MapFlags.EXIST) {
            return err(Errno.EINVAL);
        }
        long plen = keyPrefixlen(key, off);
        if (plen > maxPrefixlen) {
            return err(Errno.EINVAL);
        }
        synchronized (this) {
            long fresh = pool.allocate();
            if (fresh == 0) {
                return err(Errno.ENOMEM);
            }
            Native.putInt(fresh + PREFIXLEN, (int) plen);
            MemorySegment.copy(key, off + 4, Native.ALL, fresh + DATA, dataSize);
            MemorySegment.copy(value, valueOff, Native.ALL, fresh + valueOffset, valueSize);
            long rc = link(fresh, key, off, plen, flags);
            if (rc != 0) {
                pool.free(fresh); // never published
            }
            return rc;
        }
    }

    private long link(long fresh, MemorySegment key, long off, long plen, long flags) {
        long slot = rootSlot;
        long node;
        long m = 0;
        while ((node = Native.getLong(slot)) != 0) {
            m = matchLen(node, key, off, plen);
            long np = prefixlen(node);
            if (np != m || np == plen || np == maxPrefixlen) {
                break;
            }
            slot = childSlot(node, bit(key, off + 4, np));
        }
        if (node == 0) {
            long rc = checkAdd(flags);
            if (rc == 0) {
                Native.putLongRelease(slot, fresh);
            }
            return rc;
        }
        if (prefixlen(node) == m) {
            // the same prefix: the new node takes the old one's place and children
            long rc = intermediate(node) ? checkAdd(flags) : flags == MapFlags.NOEXIST ? err(Errno.EEXIST) : 0;
            if (rc != 0) {
                return rc;
            }
            Native.putLong(fresh + CHILD0, Native.getLong(node + CHILD0));
            Native.putLong(fresh + CHILD1, Native.getLong(node + CHILD1));
            Native.putLongRelease(slot, fresh);
            recycler.retire(node);
            return 0;
        }
        long rc = checkAdd(flags);
        if (rc != 0) {
            return rc;
        }
        if (m == plen) {
            // the new prefix covers the node: it becomes its parent
            Native.putLong(childSlot(fresh, bit(Native.ALL, node + DATA, m)), node);
            Native.putLongRelease(slot, fresh);
            return 0;
        }
        long im = pool.allocate();
        if (im == 0) {
            entries--;
            return err(Errno.ENOMEM);
        }
        Native.putInt(im + PREFIXLEN, (int) m);
        Native.putInt(im + FLAGS, FLAG_INTERMEDIATE);
        Native.copy(node + DATA, im + DATA, dataSize);
        boolean freshRight = bit(key, off + 4, m) == 1;
        Native.putLong(im + CHILD0, freshRight ? node : fresh);
        Native.putLong(im + CHILD1, freshRight ? fresh : node);
        Native.putLongRelease(slot, im);
        return 0;
    }

    /** {@code trie_delete_elem}: exact prefix only. */
    private long remove(MemorySegment key, long off) {
        long plen = keyPrefixlen(key, off);
        if (plen > maxPrefixlen) {
            return err(Errno.EINVAL);
        }
        synchronized (this) {
            long trim = rootSlot;
            long trim2 = trim;
            long parent = 0;
            long node;
            long m = 0;
            while ((node = Native.getLong(trim)) != 0) {
                m = matchLen(node, key, off, plen);
                long np = prefixlen(node);
                if (np != m || np == plen) {
                    break;
                }
                parent = node;
                trim2 = trim;
                trim = childSlot(node, bit(key, off + 4, np));
            }
            if (node == 0 || prefixlen(node) != plen || prefixlen(node) != m || intermediate(node)) {
                return err(Errno.ENOENT);
            }
            entries--;
            long c0 = Native.getLong(node + CHILD0);
            long c1 = Native.getLong(node + CHILD1);
            if (c0 != 0 && c1 != 0) {
                // still needed as a branch point: it just loses its value
                Native.putIntRelease(node + FLAGS, FLAG_INTERMEDIATE);
                return 0;
            }
            if (parent != 0 && intermediate(parent) && c0 == 0 && c1 == 0) {
                // a leaf under an intermediate node: the sibling takes the intermediate node's place
                long sibling = Native.getLong(parent + CHILD0) == node ? Native.getLong(parent + CHILD1) : Native.getLong(parent + CHILD0);
                Native.putLongRelease(trim2, sibling);
                recycler.retire(parent);
                recycler.retire(node);
                return 0;
            }
            Native.putLongRelease(trim, c0 != 0 ? c0 : c1);
            recycler.retire(node);
            return 0;
        }
    }

    // syscall side ------------------------------------------------------------------------

    @Override
    public boolean lookup(MemorySegment key, MemorySegment valueOut) {
        checkKey(key);
        checkValue(valueOut);
        synchronized (this) {
            long node = longestMatch(key, 0);
            if (node == 0) {
                return false;
            }
            MemorySegment.copy(Native.ALL, node + valueOffset, valueOut, 0, valueSize);
            return true;
        }
    }

    @Override
    public void update(MemorySegment key, MemorySegment value, long flags) {
        checkKey(key);
        checkValue(value);
        throwIfError(store(key, 0, value, 0, flags), "update", flags);
    }

    @Override
    public boolean delete(MemorySegment key) {
        checkKey(key);
        long rc = remove(key, 0);
        if (rc == err(Errno.ENOENT)) {
            return false;
        }
        throwIfError(rc, "delete", 0);
        return true;
    }

    /** {@code trie_get_next_key}: post-order, so more specific prefixes come before the ones that cover them. */
    @Override
    public synchronized boolean nextKey(MemorySegment key, MemorySegment nextOut) {
        checkKey(nextOut);
        if (key != null) {
            checkKey(key);
        }
        long root = Native.getLong(rootSlot);
        if (root == 0) {
            return false;
        }
        long next = key == null || keyPrefixlen(key, 0) > maxPrefixlen ? leftmost(root) : after(key);
        if (next == 0) {
            return false;
        }
        nextOut.set(ValueLayout.JAVA_INT_UNALIGNED, 0, (int) prefixlen(next));
        MemorySegment.copy(Native.ALL, next + DATA, nextOut, 4, dataSize);
        return true;
    }

    /** The node after the key's in post-order; the leftmost one when the key is not in the trie; 0 after the last. */
    private long after(MemorySegment key) {
        long plen = keyPrefixlen(key, 0);
        long[] stack = new long[(int) maxPrefixlen + 1];
        int top = -1;
        long node = Native.getLong(rootSlot);
        long m = 0;
        while (node != 0) {
            stack[++top] = node;
            m = matchLen(node, key, 0, plen);
            long np = prefixlen(node);
            if (np != m || np == plen) {
                break;
            }
            node = Native.getLong(childSlot(node, bit(key, 4, np)));
        }
        if (node == 0 || prefixlen(node) != m || intermediate(node)) {
            return leftmost(Native.getLong(rootSlot));
        }
        node = stack[top];
        while (top > 0) {
            long parent = stack[top - 1];
            if (Native.getLong(parent + CHILD0) == node) {
                long right = Native.getLong(parent + CHILD1);
                if (right != 0) {
                    return leftmost(right);
                }
            }
            if (!intermediate(parent)) {
                return parent;
            }
            node = parent;
            top--;
        }
        return 0;
    }

    /** The first node with a value in post-order under {@code root}: left as deep as possible, then right. */
    private static long leftmost(long root) {
        long next = 0;
        for (long node = root; node != 0;) {
            if (intermediate(node)) {
                node = Native.getLong(node + CHILD0);
            } else {
                next = node;
                node = Native.getLong(node + CHILD0);
                if (node == 0) {
                    node = Native.getLong(next + CHILD1);
                }
            }
        }
        return next;
    }

    @Override
    protected String reason(Errno e, long flags) {
        return switch (e) {
            case ENOSPC -> "the trie is full (max_entries " + maxEntries + ")";
            case EINVAL -> flags < 0 || flags > MapFlags.EXIST ? "flags 0x" + Long.toHexString(flags) + " are not valid here"
                    : "the key's prefixlen is larger than " + maxPrefixlen;
            default -> super.reason(e, flags);
        };
    }

    @Override
    public void close() {
        recycler.close();
        super.close();
    }
}
