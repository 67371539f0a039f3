package org.bpfsdt.core.exec;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Reads of memory that may not be mapped, as the kernel's {@code copy_from_kernel_nofault}:
 * helpers that follow a pointer a program passed as a plain number ({@code %s} of
 * {@code bpf_trace_printk}, {@code bpf_probe_read_kernel}) must fail on a bad address instead of
 * crashing the process. The copy goes through {@code process_vm_readv} on this process, which
 * returns {@code EFAULT} for unmapped memory.
 */
public final class SafeMemory {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle PROCESS_VM_READV = LINKER.downcallHandle(
            LINKER.defaultLookup().find("process_vm_readv").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    /** Bytes of scratch memory {@link #copy} needs: two {@code struct iovec}. */
    public static final int SCRATCH = 32;
    private static final int PID = Host.pid();

    private SafeMemory() {
    }

    /**
     * Copies {@code len} bytes from {@code src} to {@code dst}, using {@value #SCRATCH} bytes at
     * {@code scratch}; returns whether all of them could be read. {@code dst} must be valid.
     */
    public static boolean copy(long dst, long src, long len, long scratch) {
        if (len <= 0) {
            return len == 0;
        }
        if (src < NativeMemory.FLOOR || src + len < src) {
            return false;
        }
        NativeMemory.put64(scratch, dst);
        NativeMemory.put64(scratch + 8, len);
        NativeMemory.put64(scratch + 16, src);
        NativeMemory.put64(scratch + 24, len);
        long n;
        try {
            n = (long) PROCESS_VM_READV.invokeExact(PID, scratch, 1L, scratch + 16, 1L, 0L);
        } catch (Throwable t) {
            return false;
        }
        return n == len;
    }

    /**
     * Copies a NUL-terminated string of at most {@code size - 1} characters from {@code src} into
     * {@code dst} and terminates it, as {@code strncpy_from_kernel_nofault}: returns the bytes
     * copied including the NUL, or -1 (with {@code dst} an empty string) when the first byte
     * cannot be read. Reads page by page so a string that ends before unmapped memory is fine.
     */
    public static int copyString(long dst, long src, int size, long scratch) {
        if (size <= 0) {
            return -1;
        }
        int done = 0;
        while (done < size - 1) {
            long at = src + done;
            int chunk = (int) Math.min(size - 1 - done, 4096 - (at & 4095));
            if (!copy(dst + done, at, chunk, scratch)) {
                if (done == 0) {
                    NativeMemory.put8(dst, 0);
                    return -1;
                }
                break;
            }
            for (int i = 0; i < chunk; i++) {
                if (NativeMemory.u8(dst + done + i) == 0) {
                    return done + i + 1;
                }
            }
            done += chunk;
        }
        NativeMemory.put8(dst + done, 0);
        return done + 1;
    }

    /** Whether {@code process_vm_readv} works here (a seccomp policy may forbid it). */
    public static boolean available() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SCRATCH + 16, 8);
            return copy(s.address() + SCRATCH, s.address() + SCRATCH + 8, 8, s.address());
        }
    }
}
