package org.bpfsdt.core.exec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Loads, stores and atomics at raw native addresses, as BPF programs see memory: little-endian,
 * unaligned allowed (atomics excepted). Every address is checked against one fact only: it is
 * not in the first {@value #FLOOR} bytes (Linux never maps them, {@code vm.mmap_min_addr}) and
 * not negative, so a NULL-based pointer faults with {@link IndexOutOfBoundsException} instead of
 * killing the JVM. Anything else is trusted: memory safety is the verifier's job.
 */
public final class NativeMemory {
    private NativeMemory() {
    }

    /** Addresses below this are never mapped on Linux; accesses there fault cleanly. */
    public static final long FLOOR = 65536;

    /** All of the address space from {@link #FLOOR}: offsets are {@code address - FLOOR}. */
    private static final MemorySegment ALL = MemorySegment.ofAddress(FLOOR).reinterpret(Long.MAX_VALUE - FLOOR);

    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // Atomics need naturally aligned addresses; they use the native order, which is little endian
    // on every host this runtime supports (x86_64, arm64, riscv64).
    private static final VarHandle A32 = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle A64 = ValueLayout.JAVA_LONG.varHandle();

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("bpf-sdt runs on little-endian hosts only");
        }
    }

    public static long u8(long a) {
        return ALL.get(U8, a - FLOOR) & 0xffL;
    }

    public static long u16(long a) {
        return ALL.get(U16, a - FLOOR) & 0xffffL;
    }

    public static long u32(long a) {
        return ALL.get(U32, a - FLOOR) & 0xffffffffL;
    }

    public static long u64(long a) {
        return ALL.get(U64, a - FLOOR);
    }

    public static long s8(long a) {
        return ALL.get(U8, a - FLOOR);
    }

    public static long s16(long a) {
        return ALL.get(U16, a - FLOOR);
    }

    public static long s32(long a) {
        return ALL.get(U32, a - FLOOR);
    }

    public static void put8(long a, long v) {
        ALL.set(U8, a - FLOOR, (byte) v);
    }

    public static void put16(long a, long v) {
        ALL.set(U16, a - FLOOR, (short) v);
    }

    public static void put32(long a, long v) {
        ALL.set(U32, a - FLOOR, (int) v);
    }

    public static void put64(long a, long v) {
        ALL.set(U64, a - FLOOR, v);
    }

    /** Copies {@code n} bytes from {@code src} to {@code dst} (the ranges may overlap); allocates nothing. */
    public static void copy(long dst, long src, long n) {
        MemorySegment.copy(ALL, src - FLOOR, ALL, dst - FLOOR, n);
    }

    /** Sets {@code n} bytes at {@code dst} to zero; allocates nothing. */
    public static void zero(long dst, long n) {
        long a = dst;
        long end = dst + n;
        for (; a + 8 <= end; a += 8) {
            ALL.set(U64, a - FLOOR, 0L);
        }
        for (; a < end; a++) {
            ALL.set(U8, a - FLOOR, (byte) 0);
        }
    }

    /** Big-endian loads of the legacy packet instructions. */
    public static long be16(long a) {
        return Short.reverseBytes(ALL.get(U16, a - FLOOR)) & 0xffffL;
    }

    public static long be32(long a) {
        return Integer.reverseBytes(ALL.get(U32, a - FLOOR)) & 0xffffffffL;
    }

    // atomics: the 32-bit forms return the old value zero-extended, as BPF's fetch does

    public static long getAndAdd32(long a, long v) {
        return (int) A32.getAndAdd(ALL, a - FLOOR, (int) v) & 0xffffffffL;
    }

    public static long getAndOr32(long a, long v) {
        return (int) A32.getAndBitwiseOr(ALL, a - FLOOR, (int) v) & 0xffffffffL;
    }

    public static long getAndAnd32(long a, long v) {
        return (int) A32.getAndBitwiseAnd(ALL, a - FLOOR, (int) v) & 0xffffffffL;
    }

    public static long getAndXor32(long a, long v) {
        return (int) A32.getAndBitwiseXor(ALL, a - FLOOR, (int) v) & 0xffffffffL;
    }

    public static long getAndSet32(long a, long v) {
        return (int) A32.getAndSet(ALL, a - FLOOR, (int) v) & 0xffffffffL;
    }

    /** Compares the word at {@code a} with the low 32 bits of {@code expected}; returns the old word zero-extended. */
    public static long compareAndExchange32(long a, long expected, long v) {
        return (int) A32.compareAndExchange(ALL, a - FLOOR, (int) expected, (int) v) & 0xffffffffL;
    }

    public static long getAndAdd64(long a, long v) {
        return (long) A64.getAndAdd(ALL, a - FLOOR, v);
    }

    public static long getAndOr64(long a, long v) {
        return (long) A64.getAndBitwiseOr(ALL, a - FLOOR, v);
    }

    public static long getAndAnd64(long a, long v) {
        return (long) A64.getAndBitwiseAnd(ALL, a - FLOOR, v);
    }

    public static long getAndXor64(long a, long v) {
        return (long) A64.getAndBitwiseXor(ALL, a - FLOOR, v);
    }

    public static long getAndSet64(long a, long v) {
        return (long) A64.getAndSet(ALL, a - FLOOR, v);
    }

    public static long compareAndExchange64(long a, long expected, long v) {
        return (long) A64.compareAndExchange(ALL, a - FLOOR, expected, v);
    }

    /** Volatile 64-bit load and store, for words native code and Java share (descriptors, headers). */
    public static long getVolatile64(long a) {
        return (long) A64.getVolatile(ALL, a - FLOOR);
    }

    public static void setVolatile64(long a, long v) {
        A64.setVolatile(ALL, a - FLOOR, v);
    }
}
