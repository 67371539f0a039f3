package org.bpfsdt.maps.queue;

import static org.bpfsdt.api.MapFlags.NUMA_NODE;

import java.lang.foreign.MemorySegment;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.maps.support.CreateChecks;
import org.bpfsdt.maps.support.MapMemory;
import org.bpfsdt.maps.support.MemoryAccounting;
import org.bpfsdt.maps.support.Native;
import org.bpfsdt.maps.support.ValueFields;

/**
 * {@code BPF_MAP_TYPE_QUEUE} and {@code BPF_MAP_TYPE_STACK} ({@code kernel/bpf/queue_stack_maps.c}):
 * a ring of {@code max_entries + 1} value slots without keys. Push adds at the head; a queue
 * pops the oldest value (tail), a stack the newest (head). Pushing into a full map fails with
 * {@code E2BIG} unless {@code BPF_EXIST} asks to overwrite the oldest value. Values are copied in
 * and out under the map's lock, so no address of a slot ever leaves it.
 */
public final class QueueStackMap extends KeylessMap {
    /** {@code QUEUE_STACK_CREATE_FLAG_MASK}. */
    static final int CREATE_FLAG_MASK = NUMA_NODE | CreateChecks.ACCESS_MASK;

    private final boolean stack;
    private final long slots;
    private final long base;
    private long head;
    private long tail;

    private QueueStackMap(MapSpec spec, MapContext context, MapMemory memory) {
        super(spec, context, memory, Errno.EINVAL);
        this.stack = spec.type() == MapType.STACK;
        this.slots = maxEntries + 1;
        CreateChecks.check(slots > Long.MAX_VALUE / valueSize, Errno.ENOMEM, spec, "%d values do not fit in memory", maxEntries);
        this.base = memory.allocate(slots * valueSize, 8).address();
    }

    /** Creates a QUEUE or STACK map, checking the spec as {@code queue_stack_map_alloc_check} does. */
    public static QueueStackMap create(MapSpec spec, MapContext context, MemoryAccounting accounting) {
        CreateChecks.check(spec.maxEntries() == 0, Errno.EINVAL, spec, "max_entries must not be 0");
        CreateChecks.check(spec.keySize() != 0, Errno.EINVAL, spec, "there are no keys: key_size must be 0, got %d", spec.keySize());
        CreateChecks.check(spec.valueSize() == 0, Errno.EINVAL, spec, "value_size must not be 0");
        CreateChecks.flags(spec, CREATE_FLAG_MASK);
        CreateChecks.check(Integer.toUnsignedLong(spec.valueSize()) > CreateChecks.KMALLOC_MAX_SIZE, Errno.E2BIG, spec,
                "values are limited to %d bytes, got %d", CreateChecks.KMALLOC_MAX_SIZE, Integer.toUnsignedLong(spec.valueSize()));
        ValueFields.of(spec);
        return MapMemory.build(accounting, memory -> new QueueStackMap(spec, context, memory));
    }

    private boolean empty() {
        return head == tail;
    }

    private boolean full() {
        return next(head) == tail;
    }

    /** The slot after {@code index} in the ring. */
    private long next(long index) {
        return index + 1 >= slots ? 0 : index + 1;
    }

    private long slot(long index) {
        return base + index * valueSize;
    }

    /** {@code queue_stack_map_push_elem}. */
    @Override
    synchronized long push(MemorySegment value, long off, long flags) {
        if ((flags & MapFlags.NOEXIST) != 0 || flags > MapFlags.EXIST || flags < 0) {
            return err(Errno.EINVAL);
        }
        boolean replace = (flags & MapFlags.EXIST) != 0;
        if (full()) {
            if (!replace) {
                return err(Errno.E2BIG);
            }
            // drop the oldest value
            tail = next(tail);
        }
        MemorySegment.copy(value, off, Native.ALL, slot(head), valueSize);
        head = next(head);
        return 0;
    }

    @Override
    long peek(MemorySegment out, long off) {
        return take(out, off, false);
    }

    /** Copies the next value out (and removes it when {@code remove}); {@code ENOENT} when empty. */
    private synchronized long take(MemorySegment out, long off, boolean remove) {
        if (empty()) {
            return err(Errno.ENOENT);
        }
        long index;
        if (stack) {
            index = head == 0 ? slots - 1 : head - 1;
            if (remove) {
                head = index;
            }
        } else {
            index = tail;
            if (remove) {
                tail = next(tail);
            }
        }
        MemorySegment.copy(Native.ALL, slot(index), out, off, valueSize);
        return 0;
    }

    // pop: programs, and lookup-and-delete for Java -------------------------------------------

    @Override
    public long pop(long valueAddr) {
        return programReadOnly ? err(Errno.EACCES) : take(Native.ALL, valueAddr, true);
    }

    @Override
    public boolean lookupAndDelete(MemorySegment key, MemorySegment valueOut) {
        checkNoKey(key);
        checkValue(valueOut);
        return take(valueOut, 0, true) == 0;
    }

    @Override
    String noDelete() {
        return "values cannot be deleted by key; pop them with lookup-and-delete";
    }

    @Override
    protected String reason(Errno e, long flags) {
        return switch (e) {
            case E2BIG -> "the " + spec.type().name().toLowerCase(java.util.Locale.ROOT) + " is full (max_entries " + maxEntries
                    + "); push with BPF_EXIST to overwrite the oldest value";
            case EINVAL -> "push takes BPF_ANY or BPF_EXIST, not flags 0x" + Long.toHexString(flags);
            default -> super.reason(e, flags);
        };
    }
}
