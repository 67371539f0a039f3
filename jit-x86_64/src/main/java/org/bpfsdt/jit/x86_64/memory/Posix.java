package org.bpfsdt.jit.x86_64.memory;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;

/** The Linux calls that map code, through FFM downcalls that capture {@code errno}. */
@SuppressWarnings("restricted") // downcalls into the C library
final class Posix {
    static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    static final int MFD_CLOEXEC = 0x0001;
    /** The base page size of x86-64 Linux. */
    static final long PAGE_SIZE = 4096;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle MMAP = downcall("mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle MEMFD_CREATE = downcall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = downcall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private Posix() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("the C library has no " + name));
        return LINKER.downcallHandle(symbol, fd, CAPTURE);
    }

    static long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        return call("mmap", (state, arena) -> (long) MMAP.invokeExact(state, addr, length, prot, flags, fd, offset));
    }

    static void munmap(long addr, long length) {
        call("munmap", (state, arena) -> (int) MUNMAP.invokeExact(state, addr, length));
    }

    static int memfdCreate(String name) {
        return (int) call("memfd_create", (state, arena) -> (int) MEMFD_CREATE.invokeExact(state, arena.allocateFrom(name), MFD_CLOEXEC));
    }

    static void ftruncate(int fd, long length) {
        call("ftruncate", (state, arena) -> (int) FTRUNCATE.invokeExact(state, fd, length));
    }

    /** Closes {@code fd}; a failure is ignored (the descriptor is gone either way). */
    static void close(int fd) {
        call("close", (state, arena) -> {
            int ignored = (int) CLOSE.invokeExact(state, fd);
            return 0;
        });
    }

    /** One downcall, given where errno is captured and an arena for its arguments. */
    @FunctionalInterface
    private interface Downcall {
        long invoke(MemorySegment state, Arena arena) throws Throwable;
    }

    /** Makes {@code call}; the C library's -1 becomes a {@link BpfException} with the errno it left. */
    private static long call(String name, Downcall call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long r = call.invoke(state, arena);
            if (r == -1) {
                throw failure(name, state);
            }
            return r;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static BpfException failure(String call, MemorySegment state) {
        int errno = (int) ERRNO.get(state, 0L);
        Errno e = Errno.byCode(errno);
        return new BpfException(e == null ? Errno.ENOMEM : e,
                call + " failed with errno " + errno + (e == null ? "" : " (" + e.name() + ")") + " while mapping JIT code");
    }

    static long pageAlign(long bytes) {
        return (bytes + PAGE_SIZE - 1) & -PAGE_SIZE;
    }
}
