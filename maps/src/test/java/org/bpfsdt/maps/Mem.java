package org.bpfsdt.maps;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Native buffers for tests: keys and values as programs and Java pass them. */
public final class Mem {
    private static final Arena ARENA = Arena.ofAuto();

    private Mem() {
    }

    public static MemorySegment alloc(long size) {
        return ARENA.allocate(Math.max(size, 1), 8);
    }

    public static MemorySegment u32(int v) {
        MemorySegment s = alloc(4);
        s.set(ValueLayout.JAVA_INT, 0, v);
        return s;
    }

    public static MemorySegment u64(long v) {
        MemorySegment s = alloc(8);
        s.set(ValueLayout.JAVA_LONG, 0, v);
        return s;
    }

    public static MemorySegment u64s(long... vs) {
        MemorySegment s = alloc(8L * vs.length);
        for (int i = 0; i < vs.length; i++) {
            s.setAtIndex(ValueLayout.JAVA_LONG, i, vs[i]);
        }
        return s;
    }

    public static MemorySegment bytes(int... bs) {
        MemorySegment s = alloc(bs.length);
        for (int i = 0; i < bs.length; i++) {
            s.set(ValueLayout.JAVA_BYTE, i, (byte) bs[i]);
        }
        return s;
    }

    public static int u32At(long address) {
        return MemorySegment.ofAddress(address).reinterpret(4).get(ValueLayout.JAVA_INT, 0);
    }

    public static long u64At(long address) {
        return MemorySegment.ofAddress(address).reinterpret(8).get(ValueLayout.JAVA_LONG, 0);
    }

    public static void putU64At(long address, long v) {
        MemorySegment.ofAddress(address).reinterpret(8).set(ValueLayout.JAVA_LONG, 0, v);
    }

    public static int u32(MemorySegment s) {
        return s.get(ValueLayout.JAVA_INT, 0);
    }

    public static long u64(MemorySegment s) {
        return s.get(ValueLayout.JAVA_LONG, 0);
    }
}
