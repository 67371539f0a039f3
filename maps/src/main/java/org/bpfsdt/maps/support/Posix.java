package org.bpfsdt.maps.support;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** The few libc calls maps need for memory the JDK's arenas cannot give: lazily zeroed and double-mapped regions. */
final class Posix {
    static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2;
    static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
    static final int MFD_CLOEXEC = 1;
    private static final long MAP_FAILED = -1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MethodHandle MMAP = handle("mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = handle("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MEMFD_CREATE = handle("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = handle("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPAGESIZE = handle("getpagesize", FunctionDescriptor.of(JAVA_INT));
    private static final MemorySegment RING_NAME = java.lang.foreign.Arena.global().allocateFrom("bpf-ringbuf");

    private Posix() {
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name)), fd);
    }

    static int pageSize() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** {@code mmap}; returns the address or -1. */
    static long mmap(long addr, long len, int prot, int flags, int fd, long off) {
        try {
            return (long) MMAP.invokeExact(addr, len, prot, flags, fd, off);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static boolean failed(long mmapResult) {
        return mmapResult == MAP_FAILED;
    }

    static void munmap(long addr, long len) {
        try {
            int rc = (int) MUNMAP.invokeExact(addr, len);
            if (rc != 0) {
                throw new IllegalStateException("munmap(" + Long.toHexString(addr) + ", " + len + ") failed");
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** An anonymous in-memory file descriptor, or -1. */
    static int memfdCreate() {
        try {
            return (int) MEMFD_CREATE.invokeExact(RING_NAME, MFD_CLOEXEC);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static boolean ftruncate(int fd, long len) {
        try {
            return (int) FTRUNCATE.invokeExact(fd, len) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
