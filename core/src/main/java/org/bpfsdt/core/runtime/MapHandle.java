package org.bpfsdt.core.runtime;

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

    /** Checks {@code key} against the map's key size; {@code null} only for maps without keys. */
    private void checkKey(byte[] key) {
        if (key == null) {
            if (keySize() != 0) {
                throw new BpfException(Errno.EINVAL, object + ": a key of " + keySize() + " bytes is needed");
            }
        } else if (key.length != keySize()) {
            throw new BpfException(Errno.EINVAL, object + ": key of " + key.length + " bytes, the map's keys have " + keySize());
        }
    }

    /** Where a call's value goes in the call buffer: after the key, 8-byte aligned. */
    private long valueOffset() {
        return (keySize() + 7L) & ~7L;
    }

    /** The key copied into {@code buf}, or {@code null}. */
    private static MemorySegment key(MemorySegment buf, byte[] key) {
        if (key == null) {
            return null;
        }
        MemorySegment.copy(key, 0, buf, ValueLayout.JAVA_BYTE, 0, key.length);
        return buf.asSlice(0, key.length);
    }

    private <T> T withBuffer(long valueBytes, java.util.function.Function<MemorySegment, T> body) {
        return object.runtime.callBuffers().with(valueOffset() + valueBytes, body);
    }

    @Override
    public Optional<byte[]> lookup(byte[] key) {
        LoadedMap m = live();
        checkKey(key);
        int size = javaValueSize();
        return withBuffer(size, buf -> {
            MemorySegment out = buf.asSlice(valueOffset(), size);
            return m.backend.lookup(key(buf, key), out) ? Optional.of(out.toArray(ValueLayout.JAVA_BYTE)) : Optional.<byte[]>empty();
        });
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) {
        LoadedMap m = live();
        checkKey(key);
        if (value == null || value.length != javaValueSize()) {
            throw new BpfException(Errno.EINVAL, m + ": value of " + (value == null ? 0 : value.length) + " bytes, "
                    + javaValueSize() + " expected" + (type().isPerCpu() ? " (one 8-byte-aligned value per possible CPU)" : ""));
        }
        m.write(() -> withBuffer(value.length, buf -> {
            MemorySegment v = buf.asSlice(valueOffset(), value.length);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            m.backend.update(key(buf, key), v, flags);
            return null;
        }));
    }

    @Override
    public boolean delete(byte[] key) {
        LoadedMap m = live();
        checkKey(key);
        return m.write(() -> withBuffer(0, buf -> m.backend.delete(key(buf, key))));
    }

    @Override
    public Optional<byte[]> nextKey(byte[] key) {
        LoadedMap m = live();
        if (key != null) {
            checkKey(key);
        }
        return withBuffer(keySize(), buf -> {
            MemorySegment out = buf.asSlice(valueOffset(), keySize());
            return m.backend.nextKey(key(buf, key), out) ? Optional.of(out.toArray(ValueLayout.JAVA_BYTE)) : Optional.<byte[]>empty();
        });
    }

    @Override
    public Optional<byte[]> lookupAndDelete(byte[] key) {
        LoadedMap m = live();
        checkKey(key);
        int size = javaValueSize();
        return m.write(() -> withBuffer(size, buf -> {
            MemorySegment out = buf.asSlice(valueOffset(), size);
            return m.backend.lookupAndDelete(key(buf, key), out) ? Optional.of(out.toArray(ValueLayout.JAVA_BYTE)) : Optional.<byte[]>empty();
        }));
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
        checkKey(key);
        return withBuffer(0, buf -> m.backend.valueSegment(key(buf, key))).map(m::javaView);
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
