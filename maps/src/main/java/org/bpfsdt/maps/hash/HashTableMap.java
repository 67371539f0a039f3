package org.bpfsdt.maps.hash;

import static org.bpfsdt.api.MapFlags.NO_COMMON_LRU;
import static org.bpfsdt.api.MapFlags.NO_PREALLOC;
import static org.bpfsdt.api.MapFlags.NUMA_NODE;
import static org.bpfsdt.api.MapFlags.ZERO_SEED;
import static org.bpfsdt.maps.hash.ElementLayout.HASH;
import static org.bpfsdt.maps.hash.ElementLayout.NEXT;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.maps.support.AbstractMap;
import org.bpfsdt.maps.support.CreateChecks;
import org.bpfsdt.maps.support.ElementPool;
import org.bpfsdt.maps.support.Jhash;
import org.bpfsdt.maps.support.MapMemory;
import org.bpfsdt.maps.support.MemoryAccounting;
import org.bpfsdt.maps.support.Native;
import org.bpfsdt.maps.support.Recycler;
import org.bpfsdt.maps.support.ValueFields;

/**
 * HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH ({@code kernel/bpf/hashtab.c}): an off-heap
 * chained table of {@code roundup_pow_of_two(max_entries)} buckets hashed with the kernel's
 * jhash, new elements at the head of their bucket, so keys come out of {@code get_next_key} in
 * the kernel's order for the same seed ({@link MapFlags#ZERO_SEED}).
 *
 * <p>Programs look up without locks: bucket chains are published with release stores, and an
 * element that is unlinked keeps its memory (and contents) until a grace period has passed, so
 * a value pointer stays valid for the rest of the run. Writers take a lock per bucket stripe;
 * LRU maps take one lock, as the kernel's common LRU list does. Replacing a value links a new
 * element (per-CPU maps and {@code BPF_F_LOCK} update in place, as in the kernel).
 */
public final class HashTableMap extends AbstractMap {
    /** {@code HTAB_CREATE_FLAG_MASK}. */
    static final int CREATE_FLAG_MASK = NO_PREALLOC | NO_COMMON_LRU | NUMA_NODE | CreateChecks.ACCESS_MASK | ZERO_SEED;
    /** {@code sizeof(struct htab_elem)}: counts against the largest element the syscall can copy. */
    private static final long KERNEL_ELEM_HEADER = 48;
    /** More buckets overflow the kernel's u32 bucket array size. */
    private static final long MAX_BUCKETS = 1L << 28;
    private static final int MAX_STRIPES = 1024;

    private final boolean percpu;
    private final boolean lru;
    private final int cpus;
    private final ElementLayout layout;
    private final ValueFields fields;
    private final int seed;
    private final long bucketMask;
    private final long buckets;
    private final Object[] stripes;
    private final AtomicLong count = new AtomicLong();
    private final ElementPool pool;
    private final Recycler recycler;
    private final LruList lruList;
    /** {@link #lookupFunction()}: made once, since it only holds the map's constants. */
    private final Optional<List<Insn>> lookupFunction;

    private HashTableMap(MapSpec spec, MapContext context, MapMemory memory, ValueFields fields) {
        super(spec, context, memory);
        MapType t = spec.type();
        this.percpu = t.isPerCpu();
        this.lru = t == MapType.LRU_HASH || t == MapType.LRU_PERCPU_HASH;
        this.cpus = percpu ? context.possibleCpus() : 1;
        this.layout = ElementLayout.of(lru, keySize, valueSize, cpus);
        this.fields = fields;
        this.seed = (spec.flags() & ZERO_SEED) != 0 ? 0 : ThreadLocalRandom.current().nextInt();
        long nBuckets = CreateChecks.roundUpPowerOfTwo(maxEntries);
        this.bucketMask = nBuckets - 1;
        this.buckets = memory.allocate(nBuckets * Long.BYTES, Long.BYTES).address();
        this.stripes = new Object[lru ? 1 : (int) Math.min(nBuckets, MAX_STRIPES)];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
        boolean prealloc = (spec.flags() & NO_PREALLOC) == 0;
        // like the kernel's extra elements: room to replace values in a full map without growing
        long spare = lru || percpu ? 0 : context.possibleCpus();
        CreateChecks.check(maxEntries + spare > Long.MAX_VALUE / layout.size(), Errno.ENOMEM, spec, "%d elements do not fit in memory", maxEntries);
        this.pool = new ElementPool(memory, layout.size(), prealloc ? maxEntries + spare : 0);
        this.recycler = new Recycler(context, pool::free);
        this.lruList = lru ? new LruList() : null;
        // per-CPU values need the running thread's CPU, which only the runtime knows
        this.lookupFunction = percpu || keySize > LookupFunction.MAX_KEY_SIZE ? Optional.empty()
                : Optional.of(LookupFunction.of(layout, keySize, seed, buckets, bucketMask, lru));
    }

    /** Creates a map of one of the four hash types, checking the spec as {@code htab_map_alloc_check} and {@code htab_map_alloc} do. */
    public static HashTableMap create(MapSpec spec, MapContext context, MemoryAccounting accounting) {
        MapSpec checked = check(spec, context.possibleCpus());
        ValueFields fields = ValueFields.of(checked);
        return MapMemory.build(accounting, memory -> new HashTableMap(checked, context, memory, fields));
    }

    /** The kernel's checks; returns the spec with {@code max_entries} as the kernel adjusts it for per-CPU LRU lists. */
    static MapSpec check(MapSpec spec, int cpus) {
        MapType t = spec.type();
        boolean percpu = t.isPerCpu();
        boolean lru = t == MapType.LRU_HASH || t == MapType.LRU_PERCPU_HASH;
        boolean percpuLru = (spec.flags() & NO_COMMON_LRU) != 0;
        boolean prealloc = (spec.flags() & NO_PREALLOC) == 0;
        CreateChecks.flags(spec, CREATE_FLAG_MASK);
        CreateChecks.check(!lru && percpuLru, Errno.EINVAL, spec, "BPF_F_NO_COMMON_LRU is only for LRU maps");
        CreateChecks.check(lru && !prealloc, Errno.ENOTSUPP, spec, "LRU maps are always preallocated: BPF_F_NO_PREALLOC is not supported");
        CreateChecks.check((spec.flags() & NUMA_NODE) != 0 && (percpu || percpuLru), Errno.EINVAL, spec,
                "per-CPU values or lists cannot be placed on a NUMA node");
        CreateChecks.check(spec.maxEntries() == 0 || spec.keySize() == 0 || spec.valueSize() == 0, Errno.EINVAL, spec,
                "max_entries, key_size and value_size must not be 0 (got %d, %d, %d)",
                Integer.toUnsignedLong(spec.maxEntries()), spec.keySize(), spec.valueSize());
        long kv = Integer.toUnsignedLong(spec.keySize()) + Integer.toUnsignedLong(spec.valueSize());
        CreateChecks.check(kv >= CreateChecks.KMALLOC_MAX_SIZE - KERNEL_ELEM_HEADER, Errno.E2BIG, spec,
                "key and value together must stay below %d bytes, got %d", CreateChecks.KMALLOC_MAX_SIZE - KERNEL_ELEM_HEADER, kv);
        CreateChecks.check(percpu && Native.round8(spec.valueSize()) > CreateChecks.PCPU_MIN_UNIT_SIZE, Errno.E2BIG, spec,
                "per-CPU values are limited to %d bytes, got %d", CreateChecks.PCPU_MIN_UNIT_SIZE, spec.valueSize());
        long max = Integer.toUnsignedLong(spec.maxEntries());
        if (percpuLru) {
            // each CPU gets an equal share of the elements
            long rounded = (max + cpus - 1) / cpus * cpus;
            max = rounded > 0xffffffffL ? max / cpus * cpus : rounded;
            spec = spec.withMaxEntries((int) max);
        }
        CreateChecks.check(max > 1L << 31, Errno.E2BIG, spec, "max_entries %d is more than 2^31", max);
        CreateChecks.check(CreateChecks.roundUpPowerOfTwo(max) > MAX_BUCKETS, Errno.E2BIG, spec,
                "max_entries %d needs more than 2^28 buckets", max);
        return spec;
    }

    /** Live elements. */
    public long count() {
        return count.get();
    }

    private int hash(MemorySegment key, long off) {
        return Jhash.hash(key, off, keySize, seed);
    }

    private long bucket(long index) {
        return buckets + index * Long.BYTES;
    }

    private long bucketOf(int hash) {
        return bucket(hash & bucketMask);
    }

    private Object lockOf(long bucketIndex) {
        return stripes[(int) (bucketIndex & (stripes.length - 1))];
    }

    private Object lockOf(int hash) {
        return lockOf(hash & bucketMask);
    }

    /** The element for the key in this bucket chain, or 0; safe without the lock inside a program run. */
    private long find(long bucket, MemorySegment key, long off, int hash) {
        for (long e = Native.getLongAcquire(bucket); e != 0; e = Native.getLongAcquire(e + NEXT)) {
            if (Native.getInt(e + HASH) == hash && Native.equals(key, off, e + layout.keyOffset(), keySize)) {
                return e;
            }
        }
        return 0;
    }

    private long find(MemorySegment key, long off) {
        int h = hash(key, off);
        return find(bucketOf(h), key, off, h);
    }

    // program side ------------------------------------------------------------------------

    @Override
    public long lookup(long keyAddr) {
        long e = used(keyAddr);
        if (e == 0) {
            return 0;
        }
        long value = e + layout.valueOffset();
        return percpu ? value + context.currentCpu() * layout.valueStride() : value;
    }

    /** The key's element, marked recently used in LRU maps, or 0. */
    private long used(long keyAddr) {
        long e = find(Native.ALL, keyAddr);
        if (e != 0 && lru) {
            LruList.touch(e);
        }
        return e;
    }

    /** {@link #lookup(long)} as a BPF function over this map's memory, for JITs (HASH and LRU_HASH with keys up to 512 bytes). */
    @Override
    public Optional<List<Insn>> lookupFunction() {
        return lookupFunction;
    }

    @Override
    public long lookupPercpu(long keyAddr, int cpu) {
        if (!percpu || cpu < 0 || cpu >= cpus) {
            return 0;
        }
        long e = used(keyAddr);
        return e == 0 ? 0 : e + layout.valueOffset() + cpu * layout.valueStride();
    }

    @Override
    public long update(long keyAddr, long valueAddr, long flags) {
        return programReadOnly ? err(Errno.EACCES) : store(Native.ALL, keyAddr, Native.ALL, valueAddr, flags, false);
    }

    @Override
    public long delete(long keyAddr) {
        return programReadOnly ? err(Errno.EACCES) : remove(Native.ALL, keyAddr, null);
    }

    // both sides --------------------------------------------------------------------------

    /** {@code htab_map_update_elem} and its per-CPU and LRU variants; Java gives every CPU's value, a program its own CPU's. */
    private long store(MemorySegment key, long keyOff, MemorySegment value, long valueOff, long flags, boolean fromJava) {
        if (invalidUpdateFlags(flags)) {
            return err(Errno.EINVAL);
        }
        boolean lock = (flags & MapFlags.F_LOCK) != 0;
        if (lock && !fields.hasSpinLock()) {
            return err(Errno.EINVAL);
        }
        long op = flags & ~MapFlags.F_LOCK;
        int h = hash(key, keyOff);
        long bucket = bucketOf(h);
        synchronized (lockOf(h)) {
            long old = find(bucket, key, keyOff, h);
            if (old != 0 && op == MapFlags.NOEXIST) {
                return err(Errno.EEXIST);
            }
            if (old == 0 && op == MapFlags.EXIST) {
                return err(Errno.ENOENT);
            }
            if (old != 0 && lock) {
                fields.copyInLocked(value, valueOff, old + layout.valueOffset(), valueSize);
                return 0;
            }
            if (old != 0 && percpu) {
                writeValue(old, value, valueOff, fromJava);
                if (lru) {
                    LruList.touch(old);
                }
                return 0;
            }
            if (old == 0 && !makeRoom()) {
                return err(lru ? Errno.ENOMEM : Errno.E2BIG);
            }
            long e = pool.allocate();
            if (e == 0) {
                if (old == 0) {
                    count.decrementAndGet();
                }
                return err(Errno.ENOMEM);
            }
            Native.putInt(e + HASH, h);
            MemorySegment.copy(key, keyOff, Native.ALL, e + layout.keyOffset(), keySize);
            writeValue(e, value, valueOff, fromJava);
            Native.putLong(e + NEXT, Native.getLong(bucket));
            Native.putLongRelease(bucket, e);
            if (lru) {
                lruList.addHead(e);
            }
            if (old != 0) {
                unlink(bucket, old);
                if (lru) {
                    lruList.remove(old);
                }
                recycler.retire(old);
            }
        }
        return 0;
    }

    private void writeValue(long e, MemorySegment value, long valueOff, boolean fromJava) {
        long v = e + layout.valueOffset();
        if (!percpu) {
            fields.copyIn(value, valueOff, v, valueSize);
        } else if (fromJava) {
            MemorySegment.copy(value, valueOff, Native.ALL, v, layout.valueStride() * cpus);
        } else {
            MemorySegment.copy(value, valueOff, Native.ALL, v + context.currentCpu() * layout.valueStride(), valueSize);
        }
    }

    /** Counts a new element in; an LRU map evicts to make room. Holds the bucket's lock (the map's, for LRU). */
    private boolean makeRoom() {
        if (!lru) {
            long c;
            do {
                c = count.get();
                if (c >= maxEntries) {
                    return false;
                }
            } while (!count.compareAndSet(c, c + 1));
            return true;
        }
        if (count.get() >= maxEntries) {
            long victim = lruList.victim(count.get());
            if (victim == 0) {
                return false;
            }
            unlink(bucketOf(Native.getInt(victim + HASH)), victim);
            lruList.remove(victim);
            recycler.retire(victim);
            count.decrementAndGet();
        }
        count.incrementAndGet();
        return true;
    }

    /** Removes {@code e} from its bucket chain; its own {@code next} stays, for readers standing on it. */
    private static void unlink(long bucket, long e) {
        long slot = bucket;
        for (long n = Native.getLong(slot); n != e; n = Native.getLong(slot)) {
            slot = n + NEXT;
        }
        Native.putLongRelease(slot, Native.getLong(e + NEXT));
    }

    private long remove(MemorySegment key, long keyOff, MemorySegment valueOut) {
        int h = hash(key, keyOff);
        long bucket = bucketOf(h);
        synchronized (lockOf(h)) {
            long e = find(bucket, key, keyOff, h);
            if (e == 0) {
                return err(Errno.ENOENT);
            }
            if (valueOut != null) {
                copyOut(e, valueOut);
            }
            unlink(bucket, e);
            if (lru) {
                lruList.remove(e);
            }
            count.decrementAndGet();
            recycler.retire(e);
        }
        return 0;
    }

    private void copyOut(long e, MemorySegment valueOut) {
        long v = e + layout.valueOffset();
        if (percpu) {
            MemorySegment.copy(Native.ALL, v, valueOut, 0, layout.valueStride() * cpus);
        } else {
            fields.copyOut(v, valueOut, 0, valueSize);
        }
    }

    @Override
    public int spinLockOffset() {
        return fields.spinLockOffset();
    }

    // syscall side ------------------------------------------------------------------------

    @Override
    public boolean lookup(MemorySegment key, MemorySegment valueOut) {
        checkKey(key);
        checkValue(valueOut);
        int h = hash(key, 0);
        synchronized (lockOf(h)) {
            long e = find(bucketOf(h), key, 0, h);
            if (e == 0) {
                return false;
            }
            copyOut(e, valueOut);
            return true;
        }
    }

    @Override
    public void update(MemorySegment key, MemorySegment value, long flags) {
        checkKey(key);
        checkValue(value);
        checkLockFlag(flags);
        throwIfError(store(key, 0, value, 0, flags, true), "update", flags);
    }

    @Override
    public boolean delete(MemorySegment key) {
        checkKey(key);
        return remove(key, 0, null) == 0;
    }

    @Override
    public boolean lookupAndDelete(MemorySegment key, MemorySegment valueOut) {
        checkKey(key);
        checkValue(valueOut);
        return remove(key, 0, valueOut) == 0;
    }

    /** {@code htab_map_get_next_key}: the next key in the same bucket, else the first of a later bucket; a missing key restarts from the first. */
    @Override
    public boolean nextKey(MemorySegment key, MemorySegment nextOut) {
        checkKey(nextOut);
        long start = 0;
        if (key != null) {
            checkKey(key);
            int h = hash(key, 0);
            synchronized (lockOf(h)) {
                long e = find(bucketOf(h), key, 0, h);
                if (e != 0) {
                    long next = Native.getLong(e + NEXT);
                    if (next != 0) {
                        copyKey(next, nextOut);
                        return true;
                    }
                    start = (h & bucketMask) + 1;
                }
            }
        }
        for (long b = start; b <= bucketMask; b++) {
            if (Native.getLongAcquire(bucket(b)) == 0) {
                continue;
            }
            synchronized (lockOf(b)) {
                long head = Native.getLong(bucket(b));
                if (head != 0) {
                    copyKey(head, nextOut);
                    return true;
                }
            }
        }
        return false;
    }

    private void copyKey(long e, MemorySegment out) {
        MemorySegment.copy(Native.ALL, e + layout.keyOffset(), out, 0, keySize);
    }

    @Override
    protected String reason(Errno e, long flags) {
        return e == Errno.ENOMEM && lru ? "no element could be evicted to make room" : super.reason(e, flags);
    }

    @Override
    public void close() {
        recycler.close();
        super.close();
    }
}
