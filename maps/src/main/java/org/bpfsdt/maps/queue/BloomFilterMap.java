package org.bpfsdt.maps.queue;

import static org.bpfsdt.api.MapFlags.NUMA_NODE;
import static org.bpfsdt.api.MapFlags.ZERO_SEED;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ThreadLocalRandom;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.maps.support.CreateChecks;
import org.bpfsdt.maps.support.Jhash;
import org.bpfsdt.maps.support.MapMemory;
import org.bpfsdt.maps.support.MemoryAccounting;
import org.bpfsdt.maps.support.Native;

/**
 * {@code BPF_MAP_TYPE_BLOOM_FILTER} ({@code kernel/bpf/bloom_filter.c}): push sets
 * {@code map_extra} (default 5) bits per value, peek answers whether all of a value's bits are
 * set: no false negatives, some false positives. The bit array is sized and the bits are chosen
 * exactly as the kernel does ({@code jhash} seeded with {@code seed + i}), so with
 * {@link MapFlags#ZERO_SEED} the answers match Linux bit for bit. Setting bits is atomic, so
 * pushes need no lock.
 */
public final class BloomFilterMap extends KeylessMap {
    /** {@code BLOOM_CREATE_FLAG_MASK}. */
    static final int CREATE_FLAG_MASK = NUMA_NODE | ZERO_SEED | CreateChecks.ACCESS_MASK;
    private static final int DEFAULT_HASHES = 5;

    private final int hashes;
    private final int seed;
    /** {@code bitset_mask}: bit count - 1 (u32). */
    private final long bitMask;
    private final long bits;

    private BloomFilterMap(MapSpec spec, MapContext context, MapMemory memory) {
        super(spec, context, memory, Errno.EOPNOTSUPP);
        this.hashes = spec.mapExtra() == 0 ? DEFAULT_HASHES : (int) spec.mapExtra();
        this.seed = (spec.flags() & ZERO_SEED) != 0 ? 0 : ThreadLocalRandom.current().nextInt();
        this.bitMask = bitMask(maxEntries, hashes);
        long bytes = Native.round8((bitMask + 1 + 7) / 8);
        this.bits = memory.allocate(bytes, Long.BYTES).address();
    }

    /** Creates a BLOOM_FILTER map, checking the spec as {@code bloom_map_alloc_check} and {@code bloom_map_alloc} do. */
    public static BloomFilterMap create(MapSpec spec, MapContext context, MemoryAccounting accounting) {
        CreateChecks.check(Integer.toUnsignedLong(spec.valueSize()) > CreateChecks.KMALLOC_MAX_SIZE, Errno.E2BIG, spec,
                "values are limited to %d bytes, got %d", CreateChecks.KMALLOC_MAX_SIZE, Integer.toUnsignedLong(spec.valueSize()));
        CreateChecks.check(spec.keySize() != 0, Errno.EINVAL, spec, "there are no keys: key_size must be 0, got %d", spec.keySize());
        CreateChecks.check(spec.valueSize() == 0, Errno.EINVAL, spec, "value_size must not be 0");
        CreateChecks.check(spec.maxEntries() == 0, Errno.EINVAL, spec, "max_entries must not be 0");
        CreateChecks.flags(spec, CREATE_FLAG_MASK);
        CreateChecks.check((spec.mapExtra() & ~0xfL) != 0, Errno.EINVAL, spec,
                "map_extra is the number of hash functions, 0..15 (0 means %d), got %d", DEFAULT_HASHES, spec.mapExtra());
        return MapMemory.build(accounting, memory -> new BloomFilterMap(spec, context, memory));
    }

    /**
     * The kernel's sizing: {@code n * k / ln 2} bits (7/5 for 1/ln 2), rounded up to a power of
     * two and at least 64; 2^32 bits when that overflows u32 or passes 2^31.
     */
    static long bitMask(long maxEntries, int hashes) {
        long nrBits = maxEntries * hashes;
        boolean huge = nrBits > 0xffffffffL;
        if (!huge) {
            nrBits = (nrBits / 5) * 7;
            huge = nrBits > 0xffffffffL || nrBits > 1L << 31;
        }
        if (huge) {
            return 0xffffffffL;
        }
        nrBits = nrBits <= 64 ? 64 : CreateChecks.roundUpPowerOfTwo(nrBits);
        return nrBits - 1;
    }

    private long bitOf(MemorySegment value, long off, int i) {
        return Integer.toUnsignedLong(Jhash.hash(value, off, valueSize, seed + i)) & bitMask;
    }

    /** Sets the value's bits. */
    @Override
    long push(MemorySegment value, long off, long flags) {
        if (flags != MapFlags.ANY) {
            return err(Errno.EINVAL);
        }
        for (int i = 0; i < hashes; i++) {
            long b = bitOf(value, off, i);
            Native.getAndBitwiseOrLong(bits + (b >>> 6) * Long.BYTES, 1L << (b & 63));
        }
        return 0;
    }

    /** Whether the value (for Java, the contents of {@code valueOut}, as the syscall reads it) may be in the set: 0, else {@code ENOENT}. */
    @Override
    long peek(MemorySegment value, long off) {
        for (int i = 0; i < hashes; i++) {
            long b = bitOf(value, off, i);
            if ((Native.getLongAcquire(bits + (b >>> 6) * Long.BYTES) & (1L << (b & 63))) == 0) {
                return err(Errno.ENOENT);
            }
        }
        return 0;
    }

    @Override
    public long pop(long valueAddr) {
        return err(Errno.EOPNOTSUPP);
    }

    @Override
    String noDelete() {
        return "values cannot be removed from a bloom filter";
    }

    @Override
    protected String reason(Errno e, long flags) {
        return e == Errno.EINVAL ? "values are added with BPF_ANY only, not flags 0x" + Long.toHexString(flags) : super.reason(e, flags);
    }
}
