package org.bpfsdt.maps.queue;

import java.lang.foreign.MemorySegment;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.maps.support.AbstractMap;
import org.bpfsdt.maps.support.MapMemory;
import org.bpfsdt.maps.support.Native;

/**
 * Maps of values without keys (QUEUE, STACK, BLOOM_FILTER): programs push and peek, and the
 * syscall turns a lookup into a peek and an update into a push, as the kernel's
 * {@code bpf_map_copy_value} and {@code bpf_map_update_value} do for these types. Keyed
 * operations fail with the type's own errno.
 */
abstract sealed class KeylessMap extends AbstractMap permits BloomFilterMap, QueueStackMap {
    /** What the type's {@code map_delete_elem} and {@code map_get_next_key} return. */
    private final Errno keyedErrno;

    KeylessMap(MapSpec spec, MapContext context, MapMemory memory, Errno keyedErrno) {
        super(spec, context, memory);
        this.keyedErrno = keyedErrno;
    }

    /** {@code map_push_elem}: adds the value at {@code off} of {@code value}; 0 or a negative errno. */
    abstract long push(MemorySegment value, long off, long flags);

    /** {@code map_peek_elem}, reading or filling the value at {@code off} of {@code value}; 0 or a negative errno. */
    abstract long peek(MemorySegment value, long off);

    // program side ------------------------------------------------------------------------

    @Override
    public final long lookup(long keyAddr) {
        return 0;
    }

    @Override
    public final long update(long keyAddr, long valueAddr, long flags) {
        return err(Errno.EINVAL);
    }

    @Override
    public final long delete(long keyAddr) {
        return err(keyedErrno);
    }

    @Override
    public final long push(long valueAddr, long flags) {
        return programReadOnly ? err(Errno.EACCES) : push(Native.ALL, valueAddr, flags);
    }

    @Override
    public final long peek(long valueAddr) {
        return peek(Native.ALL, valueAddr);
    }

    // syscall side ------------------------------------------------------------------------

    @Override
    public final boolean lookup(MemorySegment key, MemorySegment valueOut) {
        checkNoKey(key);
        checkValue(valueOut);
        return peek(valueOut, 0) == 0;
    }

    @Override
    public final void update(MemorySegment key, MemorySegment value, long flags) {
        checkNoKey(key);
        checkValue(value);
        throwIfError(push(value, 0, flags), "push", flags);
    }

    @Override
    public final boolean delete(MemorySegment key) {
        checkNoKey(key);
        throw new BpfException(keyedErrno, spec.type() + " map: " + noDelete());
    }

    /** Why values cannot be deleted by key, and what to do instead. */
    abstract String noDelete();

    @Override
    public final boolean nextKey(MemorySegment key, MemorySegment nextOut) {
        checkNoKey(key);
        throw new BpfException(keyedErrno, spec.type() + " map: there are no keys to iterate");
    }
}
