package org.bpfsdt.maps.array;

import static org.bpfsdt.api.MapFlags.INNER_MAP;
import static org.bpfsdt.api.MapFlags.MMAPABLE;
import static org.bpfsdt.api.MapFlags.NUMA_NODE;
import static org.bpfsdt.api.MapFlags.PRESERVE_ELEMS;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.maps.support.AbstractMap;
import org.bpfsdt.maps.support.CreateChecks;
import org.bpfsdt.maps.support.MapMemory;
import org.bpfsdt.maps.support.MemoryAccounting;
import org.bpfsdt.maps.support.Native;
import org.bpfsdt.maps.support.ValueFields;

/**
 * {@code BPF_MAP_TYPE_ARRAY} ({@code kernel/bpf/arraymap.c}): {@code max_entries} values of
 * {@code round_up(value_size, 8)} bytes in one block, so a value's address is base plus index
 * times size. The block is padded to {@code roundup_pow_of_two(max_entries)} entries so that an
 * index masked with {@code index_mask} (the kernel's Spectre v1 hardening) never leaves it.
 * Entries always exist: they cannot be deleted, and {@code BPF_NOEXIST} always fails.
 */
public class ArrayMap extends AbstractMap {
    /** {@code ARRAY_CREATE_FLAG_MASK}. */
    static final int CREATE_FLAG_MASK = NUMA_NODE | MMAPABLE | CreateChecks.ACCESS_MASK | PRESERVE_ELEMS | INNER_MAP;

    protected final long elemSize;
    /** Bytes per index: one value, or one per CPU. */
    protected final long slotSize;
    protected final long indexMask;
    protected final MemorySegment storage;
    protected final long base;
    protected final ValueFields fields;

    protected ArrayMap(MapSpec spec, MapContext context, MapMemory memory, ValueFields fields, int cpus) {
        super(spec, context, memory);
        this.fields = fields;
        this.elemSize = Native.round8(valueSize);
        this.slotSize = elemSize * cpus;
        this.indexMask = ArrayKeys.indexMask(maxEntries);
        long bytes;
        try {
            bytes = Math.multiplyExact(indexMask + 1, slotSize);
        } catch (ArithmeticException e) {
            throw CreateChecks.error(Errno.ENOMEM, spec, "%d entries of %d bytes do not fit in memory", maxEntries, slotSize);
        }
        boolean mmapable = (spec.flags() & MMAPABLE) != 0;
        this.storage = memory.allocate(bytes, mmapable ? MapMemory.pageSize() : 8);
        this.base = storage.address();
    }

    /** Creates an ARRAY or PERCPU_ARRAY map, checking the spec as {@code array_map_alloc_check} does. */
    public static ArrayMap create(MapSpec spec, MapContext context, MemoryAccounting accounting) {
        check(spec);
        ValueFields fields = ValueFields.of(spec);
        return MapMemory.build(accounting, memory -> spec.type() == MapType.PERCPU_ARRAY
                ? new PercpuArrayMap(spec, context, memory)
                : new ArrayMap(spec, context, memory, fields, 1));
    }

    /** {@code array_map_alloc_check}. */
    static void check(MapSpec spec) {
        boolean percpu = spec.type() == MapType.PERCPU_ARRAY;
        CreateChecks.check(spec.maxEntries() == 0, Errno.EINVAL, spec, "max_entries must not be 0");
        CreateChecks.check(spec.keySize() != 4, Errno.EINVAL, spec, "keys are u32 indexes: key_size must be 4, got %d", spec.keySize());
        CreateChecks.check(spec.valueSize() == 0, Errno.EINVAL, spec, "value_size must not be 0");
        CreateChecks.flags(spec, CREATE_FLAG_MASK);
        CreateChecks.check(percpu && (spec.flags() & NUMA_NODE) != 0, Errno.EINVAL, spec, "per-CPU values cannot be placed on a NUMA node");
        CreateChecks.check(spec.type() != MapType.ARRAY && (spec.flags() & (MMAPABLE | INNER_MAP)) != 0, Errno.EINVAL, spec,
                "BPF_F_MMAPABLE and BPF_F_INNER_MAP are only for ARRAY maps");
        CreateChecks.check((spec.flags() & PRESERVE_ELEMS) != 0, Errno.EINVAL, spec, "BPF_F_PRESERVE_ELEMS is only for PERF_EVENT_ARRAY maps");
        CreateChecks.check(spec.valueSize() < 0, Errno.E2BIG, spec, "value_size %d is larger than INT_MAX", Integer.toUnsignedLong(spec.valueSize()));
        CreateChecks.check(percpu && Native.round8(spec.valueSize()) > CreateChecks.PCPU_MIN_UNIT_SIZE, Errno.E2BIG, spec,
                "per-CPU values are limited to %d bytes, got %d", CreateChecks.PCPU_MIN_UNIT_SIZE, spec.valueSize());
    }

    /** Address of the value at {@code index} (already known to be in range) as the calling program sees it. */
    protected long programValue(long index) {
        return base + (index & indexMask) * slotSize;
    }

    @Override
    public long data() {
        return base;
    }

    // program side ------------------------------------------------------------------------

    @Override
    public long lookup(long keyAddr) {
        long index = ArrayKeys.index(keyAddr);
        return index < maxEntries ? programValue(index) : 0;
    }

    @Override
    public long update(long keyAddr, long valueAddr, long flags) {
        if (programReadOnly) {
            return err(Errno.EACCES);
        }
        return store(ArrayKeys.index(keyAddr), Native.ALL, valueAddr, flags, false);
    }

    @Override
    public long delete(long keyAddr) {
        return err(Errno.EINVAL);
    }

    /** {@code array_map_update_elem} (and {@code bpf_percpu_array_update}): the checks in the kernel's order, then the copy. */
    private long store(long index, MemorySegment src, long srcOff, long flags, boolean fromJava) {
        if (invalidUpdateFlags(flags)) {
            return err(Errno.EINVAL);
        }
        if (index >= maxEntries) {
            return err(Errno.E2BIG);
        }
        if ((flags & MapFlags.NOEXIST) != 0) {
            return err(Errno.EEXIST);
        }
        boolean lock = (flags & MapFlags.F_LOCK) != 0;
        if (lock && !fields.hasSpinLock()) {
            return err(Errno.EINVAL);
        }
        write(base + index * slotSize, src, srcOff, lock, fromJava);
        return 0;
    }

    /** Copies a value into the slot at {@code slot}, holding the value's lock when {@code lock} ({@code BPF_F_LOCK}). */
    protected void write(long slot, MemorySegment src, long srcOff, boolean lock, boolean fromJava) {
        if (lock) {
            fields.copyInLocked(src, srcOff, slot, valueSize);
        } else {
            fields.copyIn(src, srcOff, slot, valueSize);
        }
    }

    /**
     * The kernel's {@code array_map_gen_lookup}: r1 = map header, r2 = key pointer, result in r0.
     * The value base is loaded from the header's {@code data} word; an index past
     * {@code max_entries} gives NULL, and the index is masked before use so a mispredicted bounds
     * check cannot reach past the storage.
     */
    @Override
    public Optional<List<Insn>> inlineLookup() {
        if ((spec.flags() & INNER_MAP) != 0) {
            return Optional.empty();
        }
        return Optional.of(InlineLookup.array(maxEntries, indexMask, elemSize));
    }

    // syscall side ------------------------------------------------------------------------

    @Override
    public boolean lookup(MemorySegment key, MemorySegment valueOut) {
        checkKey(key);
        checkValue(valueOut);
        long index = ArrayKeys.index(key);
        if (index >= maxEntries) {
            return false;
        }
        copyOut(index, valueOut);
        return true;
    }

    protected void copyOut(long index, MemorySegment valueOut) {
        fields.copyOut(base + index * slotSize, valueOut, 0, valueSize);
    }

    @Override
    public int spinLockOffset() {
        return fields.spinLockOffset();
    }

    @Override
    public void update(MemorySegment key, MemorySegment value, long flags) {
        checkKey(key);
        checkValue(value);
        checkLockFlag(flags);
        throwIfError(store(ArrayKeys.index(key), value, 0, flags, true), "update", flags);
    }

    @Override
    public boolean delete(MemorySegment key) {
        throw new BpfException(Errno.EINVAL, spec.type() + " map: entries of arrays always exist and cannot be deleted");
    }

    @Override
    public boolean nextKey(MemorySegment key, MemorySegment nextOut) {
        checkKey(nextOut);
        return ArrayKeys.nextKey(key, nextOut, maxEntries);
    }

    @Override
    public Optional<MemorySegment> valueSegment(MemorySegment key) {
        checkKey(key);
        long index = ArrayKeys.index(key);
        if (index >= maxEntries) {
            return Optional.empty();
        }
        MemorySegment v = storage.asSlice(index * slotSize, valueSize);
        // a frozen map's values may be constants to the verifier: Java gets to read them only
        return Optional.of(isFrozen() ? v.asReadOnly() : v);
    }

    @Override
    protected String reason(Errno e, long flags) {
        return switch (e) {
            case E2BIG -> "the index is out of range (max_entries " + maxEntries + ")";
            case EEXIST -> "array entries always exist, so BPF_NOEXIST cannot succeed";
            default -> super.reason(e, flags);
        };
    }
}
