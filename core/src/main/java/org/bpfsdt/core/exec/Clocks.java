package org.bpfsdt.core.exec;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The kernel's clocks read with {@code clock_gettime}, as the time helpers read them: the same
 * clock ids, so a program sees the numbers {@code bpf_ktime_get_ns} and friends give on Linux.
 * The caller passes 16 bytes of its own native scratch memory for the {@code struct timespec},
 * so a read allocates nothing.
 */
public final class Clocks {
    /** Clock ids of {@code <linux/time.h>}. */
    public static final int MONOTONIC = 1, MONOTONIC_COARSE = 6, BOOTTIME = 7, TAI = 11;
    /** Bytes of scratch memory a read needs ({@code struct timespec}). */
    public static final int SCRATCH = 16;

    private static final MethodHandle CLOCK_GETTIME = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("clock_gettime").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.critical(false));

    private Clocks() {
    }

    /** Nanoseconds of clock {@code clockId}, using the 16 bytes at {@code scratch}. */
    public static long nanos(int clockId, long scratch) {
        int rc;
        try {
            rc = (int) CLOCK_GETTIME.invokeExact(clockId, scratch);
        } catch (Throwable t) {
            throw new IllegalStateException("clock_gettime failed", t);
        }
        if (rc != 0) {
            throw new IllegalStateException("clock_gettime(" + clockId + ") failed");
        }
        return NativeMemory.u64(scratch) * 1_000_000_000L + NativeMemory.u64(scratch + 8);
    }
}
