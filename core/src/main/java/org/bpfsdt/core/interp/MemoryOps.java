package org.bpfsdt.core.interp;

import static org.bpfsdt.core.interp.DecodedProgram.dst;
import static org.bpfsdt.core.interp.DecodedProgram.imm;
import static org.bpfsdt.core.interp.DecodedProgram.off;
import static org.bpfsdt.core.interp.DecodedProgram.src;

import org.bpfsdt.core.exec.NativeMemory;

/**
 * The memory instructions, one method each, written once for both interpreter modes: the fast
 * loop calls them directly from its cases, the checked mode through {@link #exec} after the
 * access was checked. {@code w} is the decoded slot, {@code r} the register file.
 */
final class MemoryOps {
    private MemoryOps() {
    }

    static void ldxb(long[] r, long w) { r[dst(w)] = NativeMemory.u8(r[src(w)] + off(w)); }
    static void ldxh(long[] r, long w) { r[dst(w)] = NativeMemory.u16(r[src(w)] + off(w)); }
    static void ldxw(long[] r, long w) { r[dst(w)] = NativeMemory.u32(r[src(w)] + off(w)); }
    static void ldxdw(long[] r, long w) { r[dst(w)] = NativeMemory.u64(r[src(w)] + off(w)); }
    static void ldxsb(long[] r, long w) { r[dst(w)] = NativeMemory.s8(r[src(w)] + off(w)); }
    static void ldxsh(long[] r, long w) { r[dst(w)] = NativeMemory.s16(r[src(w)] + off(w)); }
    static void ldxsw(long[] r, long w) { r[dst(w)] = NativeMemory.s32(r[src(w)] + off(w)); }

    static void stxb(long[] r, long w) { NativeMemory.put8(r[dst(w)] + off(w), r[src(w)]); }
    static void stxh(long[] r, long w) { NativeMemory.put16(r[dst(w)] + off(w), r[src(w)]); }
    static void stxw(long[] r, long w) { NativeMemory.put32(r[dst(w)] + off(w), r[src(w)]); }
    static void stxdw(long[] r, long w) { NativeMemory.put64(r[dst(w)] + off(w), r[src(w)]); }

    static void stb(long[] r, long w) { NativeMemory.put8(r[dst(w)] + off(w), imm(w)); }
    static void sth(long[] r, long w) { NativeMemory.put16(r[dst(w)] + off(w), imm(w)); }
    static void stw(long[] r, long w) { NativeMemory.put32(r[dst(w)] + off(w), imm(w)); }
    static void stdw(long[] r, long w) { NativeMemory.put64(r[dst(w)] + off(w), imm(w)); }

    static void aadd32(long[] r, long w) { NativeMemory.getAndAdd32(r[dst(w)] + off(w), r[src(w)]); }
    static void aor32(long[] r, long w) { NativeMemory.getAndOr32(r[dst(w)] + off(w), r[src(w)]); }
    static void aand32(long[] r, long w) { NativeMemory.getAndAnd32(r[dst(w)] + off(w), r[src(w)]); }
    static void axor32(long[] r, long w) { NativeMemory.getAndXor32(r[dst(w)] + off(w), r[src(w)]); }
    static void afadd32(long[] r, long w) { r[src(w)] = NativeMemory.getAndAdd32(r[dst(w)] + off(w), r[src(w)]); }
    static void afor32(long[] r, long w) { r[src(w)] = NativeMemory.getAndOr32(r[dst(w)] + off(w), r[src(w)]); }
    static void afand32(long[] r, long w) { r[src(w)] = NativeMemory.getAndAnd32(r[dst(w)] + off(w), r[src(w)]); }
    static void afxor32(long[] r, long w) { r[src(w)] = NativeMemory.getAndXor32(r[dst(w)] + off(w), r[src(w)]); }
    static void axchg32(long[] r, long w) { r[src(w)] = NativeMemory.getAndSet32(r[dst(w)] + off(w), r[src(w)]); }
    static void acmpxchg32(long[] r, long w) { r[0] = NativeMemory.compareAndExchange32(r[dst(w)] + off(w), r[0], r[src(w)]); }

    static void aadd64(long[] r, long w) { NativeMemory.getAndAdd64(r[dst(w)] + off(w), r[src(w)]); }
    static void aor64(long[] r, long w) { NativeMemory.getAndOr64(r[dst(w)] + off(w), r[src(w)]); }
    static void aand64(long[] r, long w) { NativeMemory.getAndAnd64(r[dst(w)] + off(w), r[src(w)]); }
    static void axor64(long[] r, long w) { NativeMemory.getAndXor64(r[dst(w)] + off(w), r[src(w)]); }
    static void afadd64(long[] r, long w) { r[src(w)] = NativeMemory.getAndAdd64(r[dst(w)] + off(w), r[src(w)]); }
    static void afor64(long[] r, long w) { r[src(w)] = NativeMemory.getAndOr64(r[dst(w)] + off(w), r[src(w)]); }
    static void afand64(long[] r, long w) { r[src(w)] = NativeMemory.getAndAnd64(r[dst(w)] + off(w), r[src(w)]); }
    static void afxor64(long[] r, long w) { r[src(w)] = NativeMemory.getAndXor64(r[dst(w)] + off(w), r[src(w)]); }
    static void axchg64(long[] r, long w) { r[src(w)] = NativeMemory.getAndSet64(r[dst(w)] + off(w), r[src(w)]); }
    static void acmpxchg64(long[] r, long w) { r[0] = NativeMemory.compareAndExchange64(r[dst(w)] + off(w), r[0], r[src(w)]); }

    /** Runs memory instruction {@code op} (the checked mode's path, after the check). */
    static void exec(int op, long[] r, long w) {
        switch (op) {
            case Op.LDXB -> ldxb(r, w);
            case Op.LDXH -> ldxh(r, w);
            case Op.LDXW -> ldxw(r, w);
            case Op.LDXDW -> ldxdw(r, w);
            case Op.LDXSB -> ldxsb(r, w);
            case Op.LDXSH -> ldxsh(r, w);
            case Op.LDXSW -> ldxsw(r, w);
            case Op.STXB -> stxb(r, w);
            case Op.STXH -> stxh(r, w);
            case Op.STXW -> stxw(r, w);
            case Op.STXDW -> stxdw(r, w);
            case Op.STB -> stb(r, w);
            case Op.STH -> sth(r, w);
            case Op.STW -> stw(r, w);
            case Op.STDW -> stdw(r, w);
            case Op.AADD32 -> aadd32(r, w);
            case Op.AOR32 -> aor32(r, w);
            case Op.AAND32 -> aand32(r, w);
            case Op.AXOR32 -> axor32(r, w);
            case Op.AFADD32 -> afadd32(r, w);
            case Op.AFOR32 -> afor32(r, w);
            case Op.AFAND32 -> afand32(r, w);
            case Op.AFXOR32 -> afxor32(r, w);
            case Op.AXCHG32 -> axchg32(r, w);
            case Op.ACMPXCHG32 -> acmpxchg32(r, w);
            case Op.AADD64 -> aadd64(r, w);
            case Op.AOR64 -> aor64(r, w);
            case Op.AAND64 -> aand64(r, w);
            case Op.AXOR64 -> axor64(r, w);
            case Op.AFADD64 -> afadd64(r, w);
            case Op.AFOR64 -> afor64(r, w);
            case Op.AFAND64 -> afand64(r, w);
            case Op.AFXOR64 -> afxor64(r, w);
            case Op.AXCHG64 -> axchg64(r, w);
            case Op.ACMPXCHG64 -> acmpxchg64(r, w);
            default -> throw new IllegalStateException("not a memory op: " + op);
        }
    }

    /** Bytes op accesses. */
    static int size(int op) {
        return switch (op) {
            case Op.LDXB, Op.LDXSB, Op.STXB, Op.STB -> 1;
            case Op.LDXH, Op.LDXSH, Op.STXH, Op.STH -> 2;
            case Op.LDXW, Op.LDXSW, Op.STXW, Op.STW, Op.AADD32, Op.AOR32, Op.AAND32, Op.AXOR32, Op.AFADD32, Op.AFOR32,
                    Op.AFAND32, Op.AFXOR32, Op.AXCHG32, Op.ACMPXCHG32 -> 4;
            default -> 8;
        };
    }

    static boolean isLoad(int op) {
        return op >= Op.LDXB && op <= Op.LDXSW;
    }

    static boolean isAtomic(int op) {
        return op >= Op.AADD32 && op <= Op.ACMPXCHG64;
    }
}
