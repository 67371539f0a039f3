package org.bpfsdt.maps.support;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;

/**
 * The native memory of one map: everything comes from one shared arena (large regions are
 * mapped lazily zeroed pages tied to it), so {@link #close()} frees it all at once. Addresses
 * stay stable until then.
 */
public final class MapMemory implements AutoCloseable {
    /** From this size on, memory is mapped: the kernel zeroes pages on first touch instead of us touching them all now. */
    private static final long LAZY_THRESHOLD = 1L << 20;

    private static final int PAGE_SIZE = Posix.pageSize();

    private final Arena arena = Arena.ofShared();
    private final MemoryAccounting accounting;
    private long bytes;
    private boolean closed;

    public MapMemory(MemoryAccounting accounting) {
        this.accounting = accounting;
        accounting.opened();
    }

    /**
     * Builds a map on fresh memory; when building fails the memory is freed again, so a refused
     * or failed creation leaves nothing allocated.
     */
    public static <T> T build(MemoryAccounting accounting, java.util.function.Function<MapMemory, T> builder) {
        MapMemory memory = new MapMemory(accounting);
        try {
            return builder.apply(memory);
        } catch (RuntimeException | Error e) {
            memory.close();
            throw e;
        }
    }

    /** The host's page size. */
    public static int pageSize() {
        return PAGE_SIZE;
    }

    /** {@code size} zeroed bytes aligned to {@code align} (at most a page); {@code ENOMEM} when the system has none. */
    public synchronized MemorySegment allocate(long size, long align) {
        ensureOpen();
        if (size <= 0) {
            throw new IllegalArgumentException("allocation of " + size + " bytes");
        }
        MemorySegment seg;
        if (size >= LAZY_THRESHOLD) {
            long addr = Posix.mmap(0, size, Posix.PROT_READ | Posix.PROT_WRITE, Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS, -1, 0);
            if (Posix.failed(addr)) {
                throw outOfMemory(size);
            }
            seg = MemorySegment.ofAddress(addr).reinterpret(size, arena, s -> Posix.munmap(addr, size));
        } else {
            try {
                seg = arena.allocate(size, align);
            } catch (OutOfMemoryError e) {
                throw outOfMemory(size);
            }
        }
        account(size);
        return seg;
    }

    /**
     * A ring region: {@code controlSize} private bytes, then the same {@code dataSize} bytes
     * mapped twice in a row, so data that runs past the end continues at the start. Both sizes
     * are multiples of the page size.
     */
    public synchronized MemorySegment mapRing(long controlSize, long dataSize) {
        ensureOpen();
        long total = controlSize + 2 * dataSize;
        long base = Posix.mmap(0, total, Posix.PROT_NONE, Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS, -1, 0);
        if (Posix.failed(base)) {
            throw outOfMemory(total);
        }
        int fd = -1;
        try {
            int rw = Posix.PROT_READ | Posix.PROT_WRITE;
            boolean ok = !Posix.failed(Posix.mmap(base, controlSize, rw, Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS | Posix.MAP_FIXED, -1, 0));
            fd = ok ? Posix.memfdCreate() : -1;
            ok = fd >= 0 && Posix.ftruncate(fd, dataSize)
                    && !Posix.failed(Posix.mmap(base + controlSize, dataSize, rw, Posix.MAP_SHARED | Posix.MAP_FIXED, fd, 0))
                    && !Posix.failed(Posix.mmap(base + controlSize + dataSize, dataSize, rw, Posix.MAP_SHARED | Posix.MAP_FIXED, fd, 0));
            if (!ok) {
                Posix.munmap(base, total);
                throw outOfMemory(total);
            }
        } finally {
            if (fd >= 0) {
                Posix.close(fd);
            }
        }
        account(total);
        return MemorySegment.ofAddress(base).reinterpret(total, arena, s -> Posix.munmap(base, total));
    }

    private void account(long size) {
        bytes += size;
        accounting.add(size);
    }

    private void ensureOpen() {
        if (closed) {
            throw new BpfException(Errno.EBADF, "the map was closed");
        }
    }

    private static BpfException outOfMemory(long size) {
        return new BpfException(Errno.ENOMEM, "cannot allocate " + size + " bytes of native memory for the map");
    }

    /** Bytes held now. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Frees everything; addresses handed out become invalid. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();
        accounting.add(-bytes);
        accounting.closed();
        bytes = 0;
    }
}
