package org.bpfsdt.api;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * A map, used from Java as the {@code BPF_MAP_*_ELEM} commands use it. Keys and values are
 * byte arrays in the program's (little-endian) layout; per-CPU maps take and give one value per
 * possible CPU, each rounded up to 8 bytes, as the kernel does. Safe to use from several threads
 * while programs run.
 */
public interface BpfMap extends BpfObject {
    MapInfo info();

    MapType type();

    String name();

    int keySize();

    int valueSize();

    int maxEntries();

    int flags();

    /** The value of {@code key}, or empty ({@code ENOENT} is not an error here). Queues/stacks: peek with {@code key == null}. */
    Optional<byte[]> lookup(byte[] key);

    /** Stores {@code value} under {@code key} with {@link MapFlags} {@code ANY}/{@code NOEXIST}/{@code EXIST}; queues/stacks push with {@code key == null}. */
    void update(byte[] key, byte[] value, long flags);

    /** Deletes {@code key}; false when it was not there. */
    boolean delete(byte[] key);

    /** The key after {@code key} in iteration order ({@code null}: the first), or empty at the end. */
    Optional<byte[]> nextKey(byte[] key);

    /** Looks up and deletes; queues/stacks pop with {@code key == null}. */
    Optional<byte[]> lookupAndDelete(byte[] key);

    /** {@code BPF_MAP_FREEZE}: no more writes from Java; when it returns, none is in flight. */
    void freeze();

    boolean isFrozen();

    /**
     * The bytes of the value at {@code key} in place (array-like maps), or empty. The view is
     * read-only once the map is frozen; a writable view taken before {@link #freeze()} is revoked
     * by it (and by the map's end): using it then throws {@link IllegalStateException}.
     */
    Optional<MemorySegment> valueSegment(byte[] key);

    /** Number of possible CPUs the per-CPU maps of this runtime hold values for. */
    int possibleCpus();

    /** A new handle on the same map. */
    BpfMap dup();

    /**
     * A consumer of this {@link MapType#RINGBUF} map's records, valid while this handle is
     * open; {@code EINVAL} for other map types.
     */
    default RingBufferReader ringBufferReader() {
        throw new BpfException(Errno.EINVAL, type() + " maps have no ring buffer reader; only RINGBUF maps do");
    }
}
