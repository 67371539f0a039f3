package org.bpfsdt.core.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapInfo;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.RingBufferReader;
import org.bpfsdt.api.spi.RingBufBackend;

/** A handle on a map: the {@code BPF_MAP_*_ELEM} commands from Java, on native copies of keys and values. */
final class MapHandle extends Handle<LoadedMap> implements BpfMap {

    /** Takes over a reference the caller holds; counts as one of the map's user handles. */
    MapHandle(LoadedMap map) {
        super(map);
        map.userOpened();
    }

    @Override
    void closed() {
        object.userClosed();
    }

    @Override
    public MapInfo info() {
        return live().info();
    }

    @Override
    public MapType type() {
        return object.spec.type();
    }

    @Override
    public String name() {
        return object.spec.name();
    }

    @Override
    public int keySize() {
        return object.spec.keySize();
    }

    @Override
    public int valueSize() {
        return object.spec.valueSize();
    }

    @Override
    public int maxEntries() {
        return object.spec.maxEntries();
    }

    @Override
    public int flags() {
        return object.spec.flags();
    }

    @Override
    public int possibleCpus() {
        return object.runtime.possibleCpus();
    }

    /** Bytes of a value as Java sees it: one 8-byte-rounded value per possible CPU for per-CPU maps. */
    private int javaValueSize() {
        int vs = valueSize();
        return type().isPerCpu() ? possibleCpus() * ((vs + 7) & ~7) : vs;
    }

    private MemorySegment key(Arena arena, byte[] key) {
        if (key == null) {
            if (keySize() != 0) {
                throw new BpfException(Errno.EINVAL, object + ": a key of " + keySize() + " bytes is needed");
            }
            return null;
        }
        if (key.length != keySize()) {
            throw new BpfException(Errno.EINVAL, object + ": key of " + key.length + " bytes, the map's keys have " + keySize());
        }
        return copy(arena, key);
    }

    private static MemorySegment copy(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(Math.max(1, bytes.length), 8);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s.asSlice(0, bytes.length);
    }

    @Override
    public Optional<byte[]> lookup(byte[] key) {
        LoadedMap m = live();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(Math.max(1, javaValueSize()), 8).asSlice(0, javaValueSize());
            return m.backend.lookup(key(arena, key), out) ? Optional.of(out.toArray(ValueLayout.JAVA_BYTE)) : Optional.empty();
        }
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) {
        LoadedMap m = live();
        if (m.frozen()) {
            throw new BpfException(Errno.EPERM, m + " is frozen: Java may no longer write it");
        }
        if (value == null || value.length != javaValueSize()) {
            throw new BpfException(Errno.EINVAL, m + ": value of " + (value == null ? 0 : value.length) + " bytes, "
                    + javaValueSize() + " expected" + (type().isPerCpu() ? " (one 8-byte-aligned value per possible CPU)" : ""));
        }
        try (Arena arena = Arena.ofConfined()) {
            m.backend.update(key(arena, key), copy(arena, value), flags);
        }
    }

    @Override
    public boolean delete(byte[] key) {
        LoadedMap m = live();
        if (m.frozen()) {
            throw new BpfException(Errno.EPERM, m + " is frozen: Java may no longer write it");
        }
        try (Arena arena = Arena.ofConfined()) {
            return m.backend.delete(key(arena, key));
        }
    }

    @Override
    public Optional<byte[]> nextKey(byte[] key) {
        LoadedMap m = live();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(Math.max(1, keySize()), 8).asSlice(0, keySize());
            return m.backend.nextKey(key == null ? null : key(arena, key), out)
                    ? Optional.of(out.toArray(ValueLayout.JAVA_BYTE)) : Optional.empty();
        }
    }

    @Override
    public Optional<byte[]> lookupAndDelete(byte[] key) {
        LoadedMap m = live();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(Math.max(1, javaValueSize()), 8).asSlice(0, javaValueSize());
            return m.backend.lookupAndDelete(key(arena, key), out) ? Optional.of(out.toArray(ValueLayout.JAVA_BYTE)) : Optional.empty();
        }
    }

    @Override
    public void freeze() {
        live().freeze();
    }

    @Override
    public boolean isFrozen() {
        return object.frozen();
    }

    @Override
    public Optional<MemorySegment> valueSegment(byte[] key) {
        LoadedMap m = live();
        try (Arena arena = Arena.ofConfined()) {
            return m.backend.valueSegment(key(arena, key));
        }
    }

    /** A reader of the ring that keeps the map alive until the reader closes, as a mapping of the ring would. */
    @Override
    public RingBufferReader ringBufferReader() {
        LoadedMap m = live();
        if (!(m.backend instanceof RingBufBackend rb)) {
            throw new BpfException(Errno.EINVAL, m + " has no ring buffer reader; only RINGBUF maps do");
        }
        LoadedMap held = acquire();
        try {
            return new RingReader(held, rb.reader());
        } catch (RuntimeException e) {
            held.release();
            throw e;
        }
    }

    @Override
    public BpfMap dup() {
        return new MapHandle(acquire());
    }
}
