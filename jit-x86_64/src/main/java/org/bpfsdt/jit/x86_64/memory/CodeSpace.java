package org.bpfsdt.jit.x86_64.memory;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a JIT's code lives: a reserved range of address space, committed page by page as code is
 * mapped into it, so that every image and trampoline of one compiler lies within {@code rel32}
 * reach of every other (a probe site calls its trampoline directly). Each block is a memfd mapped
 * twice: executable and read-only where it runs, writable elsewhere while it is written (and for
 * as long as it may be patched). When the range is full, blocks are mapped anywhere.
 */
@SuppressWarnings("restricted") // maps and reads native code: the reason this class exists
public final class CodeSpace implements AutoCloseable {
    /** Address space reserved (not memory): 1 GiB keeps any two blocks within a signed 32-bit displacement. */
    static final long RESERVATION = 1L << 30;

    private final long reservationSize;
    private long base;
    /** Free ranges of the reservation: offset to length. */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private int live;
    /** Start addresses of the blocks mapped and not yet released. */
    private final java.util.Set<Long> starts = new java.util.HashSet<>();
    private boolean closed;

    public CodeSpace() {
        this(RESERVATION);
    }

    CodeSpace(long reservationSize) {
        this.reservationSize = reservationSize;
    }

    /**
     * Maps {@code code} executable. With {@code patchable} the writable view stays mapped for
     * {@link CodeBlock#storeLong}; otherwise it is gone before this returns.
     */
    public CodeBlock map(byte[] code, boolean patchable) {
        if (code.length == 0) {
            throw new IllegalArgumentException("no code to map");
        }
        long size = Posix.pageAlign(code.length);
        int fd = Posix.memfdCreate("bpfsdt-jit");
        long rw = 0;
        long rx = 0;
        long at = 0;
        boolean counted = false;
        try {
            Posix.ftruncate(fd, size);
            rw = Posix.mmap(0, size, Posix.PROT_READ | Posix.PROT_WRITE, Posix.MAP_SHARED, fd, 0);
            MemorySegment.ofAddress(rw).reinterpret(size).copyFrom(MemorySegment.ofArray(code));
            at = take(size);
            counted = true;
            if (at != 0) {
                rx = Posix.mmap(at, size, Posix.PROT_READ | Posix.PROT_EXEC, Posix.MAP_SHARED | Posix.MAP_FIXED, fd, 0);
            } else {
                rx = Posix.mmap(0, size, Posix.PROT_READ | Posix.PROT_EXEC, Posix.MAP_SHARED, fd, 0);
            }
            if (!patchable) {
                Posix.munmap(rw, size);
                rw = 0;
            }
            synchronized (this) {
                starts.add(rx);
            }
            return new CodeBlock(this, rx, rw, size, at != 0);
        } catch (RuntimeException e) {
            if (rw != 0) {
                Posix.munmap(rw, size);
            }
            if (rx != 0 && at == 0) {
                Posix.munmap(rx, size);
            }
            if (counted) {
                abandon(at, size);
            }
            throw e;
        } finally {
            Posix.close(fd);
        }
    }

    /** Counts a new block and finds it a free, page-aligned address in the reservation, or 0 when there is none. */
    private synchronized long take(long size) {
        if (closed) {
            throw new IllegalStateException("this code space is closed");
        }
        if (base == 0) {
            base = Posix.mmap(0, reservationSize, Posix.PROT_NONE,
                    Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS | Posix.MAP_NORESERVE, -1, 0);
            free.put(0L, reservationSize);
        }
        live++;
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            // read both before removing: a removed TreeMap node may be reused for its successor
            long off = e.getKey();
            long len = e.getValue();
            if (len >= size) {
                free.remove(off);
                if (len > size) {
                    free.put(off + size, len - size);
                }
                return base + off;
            }
        }
        return 0;
    }

    /** Returns a block's range to the reservation, mapped inaccessible again. */
    private synchronized void giveBack(long address, long size) {
        Posix.mmap(address, size, Posix.PROT_NONE, Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS | Posix.MAP_FIXED | Posix.MAP_NORESERVE, -1, 0);
        long off = address - base;
        long len = size;
        Map.Entry<Long, Long> before = free.floorEntry(off);
        if (before != null && before.getKey() + before.getValue() == off) {
            off = before.getKey();
            len += before.getValue();
            free.remove(before.getKey());
        }
        Long after = free.containsKey(off + len) ? free.remove(off + len) : null;
        if (after != null) {
            len += after;
        }
        free.put(off, len);
    }

    /** Undoes {@link #take} for a block that failed to map. */
    private synchronized void abandon(long at, long size) {
        if (at != 0) {
            giveBack(at, size);
        }
        live--;
        unreserveIfDone();
    }

    synchronized void release(CodeBlock block) {
        starts.remove(block.address());
        if (block.writableAddress() != 0) {
            Posix.munmap(block.writableAddress(), block.size());
        }
        if (block.reserved()) {
            giveBack(block.address(), block.size());
        } else {
            Posix.munmap(block.address(), block.size());
        }
        live--;
        unreserveIfDone();
    }

    /** Whether {@code a} and {@code b} are close enough for a {@code rel32} call from one to the other. */
    public static boolean withinRel32(long from, long to) {
        long d = to - from;
        return d == (int) d;
    }

    /** Start of the reserved range (0 before the first block). */
    synchronized long reservationBase() {
        return base;
    }

    long reservationSize() {
        return reservationSize;
    }

    /** Whether a block of this space, still mapped, starts at {@code address} (so its first bytes can be read). */
    public synchronized boolean isBlockStart(long address) {
        return starts.contains(address);
    }

    /** Blocks mapped and not yet released. */
    public synchronized int liveBlocks() {
        return live;
    }

    /** No new blocks; the reservation goes once every block is released. */
    @Override
    public synchronized void close() {
        closed = true;
        unreserveIfDone();
    }

    private void unreserveIfDone() {
        if (closed && live == 0 && base != 0) {
            Posix.munmap(base, reservationSize);
            base = 0;
            free.clear();
        }
    }
}
