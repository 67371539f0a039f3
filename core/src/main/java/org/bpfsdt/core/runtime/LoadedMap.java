package org.bpfsdt.core.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import org.bpfsdt.api.MapInfo;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.ProgArrayBackend;
import org.bpfsdt.api.spi.RingBufBackend;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.core.exec.NativeMemory;

/**
 * A map: its backend (from a {@link org.bpfsdt.api.spi.MapProvider}) and the 32-byte native
 * header programs point to ({@link RuntimeLinkage}). Freed when the last handle or program
 * reference goes; the backend and header are released after a grace period, since a running
 * program may still hold their addresses.
 */
final class LoadedMap extends RuntimeObject {
    final CoreRuntime runtime;
    final MapSpec spec;
    final MapBackend backend;
    /** Address of the native map header. */
    final long header;
    private volatile boolean frozen;
    /** Java writes hold it shared; freeze takes it exclusively, so no write is in flight once frozen. */
    private final ReentrantReadWriteLock writes = new ReentrantReadWriteLock();
    /** Scope of the writable value views Java got; closed at freeze and at free, so no old view writes afterwards. */
    private Arena writableViews;
    /** Open user handles ({@code usercnt}): when the last closes, a PROG_ARRAY lets its programs go. */
    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger();

    LoadedMap(int id, CoreRuntime runtime, MapSpec spec, MapBackend backend, long header) {
        super(id);
        this.runtime = runtime;
        this.spec = backend.spec(); // what the backend made of the request (e.g. max_entries with NO_COMMON_LRU)
        this.backend = backend;
        this.header = header;
        NativeMemory.put32(header + RuntimeLinkage.MAP_TYPE, spec.type().kernelId());
        NativeMemory.put32(header + RuntimeLinkage.MAP_KEY_SIZE, spec.keySize());
        NativeMemory.put32(header + RuntimeLinkage.MAP_VALUE_SIZE, spec.valueSize());
        NativeMemory.put32(header + RuntimeLinkage.MAP_MAX_ENTRIES, spec.maxEntries());
        NativeMemory.put32(header + RuntimeLinkage.MAP_FLAGS, spec.flags());
        NativeMemory.put32(header + RuntimeLinkage.MAP_ID, id);
        NativeMemory.put64(header + RuntimeLinkage.MAP_DATA, backend.data());
        if (backend instanceof RingBufBackend rb) {
            // bpf_ringbuf_submit(sample) finds its ring by this id
            rb.setMapId(id);
        }
    }

    void userOpened() {
        users.incrementAndGet();
    }

    /** The kernel's {@code bpf_map_put_uref}: programs that tail call each other through the map must not keep it alive. */
    void userClosed() {
        if (users.decrementAndGet() == 0 && backend instanceof ProgArrayBackend pa) {
            pa.clear();
        }
    }

    MapInfo info() {
        return new MapInfo(id, spec.type(), spec.name(), spec.keySize(), spec.valueSize(), spec.maxEntries(), spec.flags(), frozen);
    }

    boolean frozen() {
        return frozen;
    }

    /**
     * {@code BPF_MAP_FREEZE}: after it returns no Java write is in flight and none can start, and
     * the writable value views handed out before are revoked (the verifier reads frozen
     * read-only values as constants, so nothing may change them afterwards).
     */
    void freeze() {
        writes.writeLock().lock();
        try {
            backend.freeze();
            frozen = true;
            revokeWritableViews();
        } finally {
            writes.writeLock().unlock();
        }
    }

    /** Runs a Java write unless the map is frozen ({@code EPERM}), never concurrently with a freeze. */
    <T> T write(Supplier<T> body) {
        writes.readLock().lock();
        try {
            if (frozen) {
                throw new org.bpfsdt.api.BpfException(org.bpfsdt.api.Errno.EPERM, this + " is frozen: Java may no longer write it");
            }
            return body.get();
        } finally {
            writes.readLock().unlock();
        }
    }

    /** The value {@code view} from the backend, as Java may use it: read-only once frozen, else revocable. */
    MemorySegment javaView(MemorySegment view) {
        writes.readLock().lock();
        try {
            if (frozen || view.isReadOnly()) {
                return view.asReadOnly();
            }
            synchronized (this) {
                if (writableViews == null) {
                    writableViews = Arena.ofShared();
                }
                return view.reinterpret(view.byteSize(), writableViews, null);
            }
        } finally {
            writes.readLock().unlock();
        }
    }

    private synchronized void revokeWritableViews() {
        if (writableViews != null) {
            writableViews.close();
            writableViews = null;
        }
    }

    /** What the verifier and the engines know of this map. */
    MapDescriptor descriptor() {
        MapType t = spec.type();
        boolean direct = t == MapType.ARRAY || t == MapType.INSN_ARRAY;
        return new MapDescriptor(id, t, spec.keySize(), spec.valueSize(), spec.maxEntries(), spec.flags(), frozen,
                spec.btf(), spec.btfValueTypeId(), backend.spinLockOffset(), header, direct ? backend.data() : 0,
                Optional.ofNullable(backend.inlineLookup()).flatMap(o -> o), Optional.ofNullable(backend.lookupFunction()).flatMap(o -> o));
    }

    @Override
    protected void free() {
        runtime.maps.remove(id, this);
        revokeWritableViews(); // a view used after its map is gone fails cleanly instead of touching freed memory
        runtime.grace().defer(() -> {
            try {
                backend.close();
            } finally {
                runtime.heap().free(header);
            }
        });
    }

    @Override
    public String toString() {
        return "map " + id + " (" + spec.type() + (spec.name().isEmpty() ? "" : " " + spec.name()) + ")";
    }
}
