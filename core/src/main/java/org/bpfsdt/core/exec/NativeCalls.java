package org.bpfsdt.core.exec;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Calls of native BPF functions from Java by address: callbacks of compiled programs ({@code bpf_loop}). */
public final class NativeCalls {
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final MethodHandle CALL5 = Linker.nativeLinker().downcallHandle(FunctionDescriptor.of(L, L, L, L, L, L));

    private NativeCalls() {
    }

    /** Calls the native function at {@code address} as {@code long f(r1, ..., r5)} (the JITs' calling convention for BPF functions). */
    public static long call(long address, long r1, long r2, long r3, long r4, long r5) {
        try {
            return (long) CALL5.invokeExact(MemorySegment.ofAddress(address), r1, r2, r3, r4, r5);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("native call of 0x" + Long.toHexString(address) + " failed", t);
        }
    }
}
