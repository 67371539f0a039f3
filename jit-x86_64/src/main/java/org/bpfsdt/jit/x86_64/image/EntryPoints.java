package org.bpfsdt.jit.x86_64.image;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** Method handles that call native entries of compiled code, and a look at code already mapped. */
@SuppressWarnings("restricted") // calls generated code: the reason this class exists
public final class EntryPoints {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor SINGLE = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor TWO_LONGS = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG);

    private EntryPoints() {
    }

    /**
     * {@code (long ctx) -> long}. Code that never calls back into Java is called as a critical
     * function, which skips the thread state transition (about half the cost of a downcall).
     */
    static MethodHandle single(long address, boolean mayUpcall) {
        MemorySegment entry = MemorySegment.ofAddress(address);
        return mayUpcall ? LINKER.downcallHandle(entry, SINGLE) : LINKER.downcallHandle(entry, SINGLE, Linker.Option.critical(false));
    }

    /** The first {@code n} bytes of the code at {@code address}, which must be mapped code. */
    public static byte[] codeAt(long address, int n) {
        return MemorySegment.ofAddress(address).reinterpret(n).toArray(JAVA_BYTE);
    }

    /**
     * {@code (long, long) -> long}: the entry with r1 and r2 (a System V function of r1..r5), or
     * the batch entry {@code (ctx, repeat)}; ordinary downcalls, so a long batch does not hold off
     * safepoints.
     */
    static MethodHandle twoLongs(long address) {
        return LINKER.downcallHandle(MemorySegment.ofAddress(address), TWO_LONGS);
    }
}
