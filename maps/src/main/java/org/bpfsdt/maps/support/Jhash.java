package org.bpfsdt.maps.support;

import static org.bpfsdt.api.isa.Opcodes.ADD;
import static org.bpfsdt.api.isa.Opcodes.B;
import static org.bpfsdt.api.isa.Opcodes.H;
import static org.bpfsdt.api.isa.Opcodes.JNE;
import static org.bpfsdt.api.isa.Opcodes.LSH;
import static org.bpfsdt.api.isa.Opcodes.MOV;
import static org.bpfsdt.api.isa.Opcodes.RSH;
import static org.bpfsdt.api.isa.Opcodes.SUB;
import static org.bpfsdt.api.isa.Opcodes.W;
import static org.bpfsdt.api.isa.Opcodes.XOR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.bpfsdt.api.isa.Insn;

/**
 * Bob Jenkins' lookup3 hash as the kernel's {@code jhash()} computes it (and {@code jhash2()},
 * which gives the same result for whole 32-bit words on a little-endian host), so hash maps
 * iterate and bloom filters set bits exactly as Linux does for the same seed. Two forms of the
 * one algorithm: {@link #hash} in Java, {@link #emit} as BPF instructions for native lookups
 * (the tests hold them equal).
 */
public final class Jhash {
    private static final int INITVAL = 0xdeadbeef;
    /** Registers of {@link #emit}: the key (kept), the state words a, b, c (the hash ends in c), a scratch word, a block pointer. */
    public static final int KEY = 2, RA = 3, RB = 4, RC = 5, TMP = 0, PTR = 1;
    /** Keys of more 12-byte blocks than this hash their blocks in a loop. */
    static final int UNROLLED_BLOCKS = 4;

    private Jhash() {
    }

    /** The hash of {@code len} bytes of {@code seg} at {@code off}. */
    public static int hash(MemorySegment seg, long off, int len, int initval) {
        int a = INITVAL + len + initval;
        int b = a;
        int c = a;
        long p = off;
        int left = len;
        while (left > 12) {
            a += seg.get(ValueLayout.JAVA_INT_UNALIGNED, p);
            b += seg.get(ValueLayout.JAVA_INT_UNALIGNED, p + 4);
            c += seg.get(ValueLayout.JAVA_INT_UNALIGNED, p + 8);
            // mix
            a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
            a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
            b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
            c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
            left -= 12;
            p += 12;
        }
        if (left == 0) {
            return c;
        }
        a += tail(seg, p, left, 0);
        b += tail(seg, p, left, 4);
        c += tail(seg, p, left, 8);
        // final
        c ^= b; c -= Integer.rotateLeft(b, 14);
        a ^= c; a -= Integer.rotateLeft(c, 11);
        b ^= a; b -= Integer.rotateLeft(a, 25);
        c ^= b; c -= Integer.rotateLeft(b, 16);
        a ^= c; a -= Integer.rotateLeft(c, 4);
        b ^= a; b -= Integer.rotateLeft(a, 14);
        c ^= b; c -= Integer.rotateLeft(b, 24);
        return c;
    }

    /**
     * Appends BPF instructions computing {@link #hash} of the {@code len} bytes at {@code r2}
     * with {@code initval}: the hash ends zero-extended in {@code r5}; r0, r1, r3 and r4 are
     * clobbered, r2 is kept. 32-bit operations throughout; a rotation is two shifts whose bits
     * do not overlap, so {@code y ^= rol(x, k)} and {@code y -= rol(x, k)} take one scratch
     * register. Loads are exactly the key's bytes (4-byte words may be unaligned).
     */
    public static void emit(BpfCode code, int len, int initval) {
        int init = INITVAL + len + initval;
        code.add(Insn.alu32Imm(MOV, RA, init)).add(Insn.alu32Imm(MOV, RB, init)).add(Insn.alu32Imm(MOV, RC, init));
        if (len == 0) {
            return;
        }
        int blocks = (len - 1) / 12;
        int base = KEY;
        int off = 0;
        if (blocks > UNROLLED_BLOCKS) {
            code.add(Insn.mov64Reg(PTR, KEY));
            int loop = code.label();
            code.bind(loop);
            block(code, PTR, 0);
            code.add(Insn.alu64Imm(ADD, PTR, 12));
            code.add(Insn.mov64Reg(TMP, PTR)).add(Insn.alu64Reg(SUB, TMP, KEY));
            code.jumpImm(JNE, TMP, blocks * 12, loop);
            base = PTR;
        } else {
            for (int i = 0; i < blocks; i++) {
                block(code, KEY, 12 * i);
            }
            off = 12 * blocks;
        }
        int left = len - 12 * blocks;
        tailWord(code, RA, base, off, left, 0);
        tailWord(code, RB, base, off, left, 4);
        tailWord(code, RC, base, off, left, 8);
        rotating(code, XOR, RC, RB, SUB, 14);
        rotating(code, XOR, RA, RC, SUB, 11);
        rotating(code, XOR, RB, RA, SUB, 25);
        rotating(code, XOR, RC, RB, SUB, 16);
        rotating(code, XOR, RA, RC, SUB, 4);
        rotating(code, XOR, RB, RA, SUB, 14);
        rotating(code, XOR, RC, RB, SUB, 24);
    }

    /** One 12-byte block at {@code base + off}: added to a, b, c, then mixed. */
    private static void block(BpfCode code, int base, int off) {
        for (int i = 0; i < 3; i++) {
            code.add(Insn.ldx(W, TMP, base, off + 4 * i)).add(Insn.alu32Reg(ADD, RA + i, TMP));
        }
        mixStep(code, RA, RC, 4, RB);
        mixStep(code, RB, RA, 6, RC);
        mixStep(code, RC, RB, 8, RA);
        mixStep(code, RA, RC, 16, RB);
        mixStep(code, RB, RA, 19, RC);
        mixStep(code, RC, RB, 4, RA);
    }

    /** {@code y -= x; y ^= rol(x, k); x += z}: one line of {@code __jhash_mix}. */
    private static void mixStep(BpfCode code, int y, int x, int k, int z) {
        rotating(code, SUB, y, x, XOR, k);
        code.add(Insn.alu32Reg(ADD, x, z));
    }

    /** {@code y op1= x; y op2= rol(x, k)}, with op2 xor or sub: the rotation's two halves are applied one at a time. */
    private static void rotating(BpfCode code, int op1, int y, int x, int op2, int k) {
        code.add(Insn.alu32Reg(op1, y, x));
        code.add(Insn.alu32Reg(MOV, TMP, x)).add(Insn.alu32Imm(LSH, TMP, k)).add(Insn.alu32Reg(op2, y, TMP));
        code.add(Insn.alu32Reg(MOV, TMP, x)).add(Insn.alu32Imm(RSH, TMP, 32 - k)).add(Insn.alu32Reg(op2, y, TMP));
    }

    /** {@code y += } the little-endian word of the last {@code left} bytes' {@code [from, from + 4)}, as {@link #tail}. */
    private static void tailWord(BpfCode code, int y, int base, int off, int left, int from) {
        int n = Math.max(0, Math.min(left - from, 4));
        int at = off + from;
        switch (n) {
            case 4 -> code.add(Insn.ldx(W, TMP, base, at)).add(Insn.alu32Reg(ADD, y, TMP));
            case 3 -> {
                code.add(Insn.ldx(H, TMP, base, at)).add(Insn.alu32Reg(ADD, y, TMP));
                code.add(Insn.ldx(B, TMP, base, at + 2)).add(Insn.alu32Imm(LSH, TMP, 16)).add(Insn.alu32Reg(ADD, y, TMP));
            }
            case 2 -> code.add(Insn.ldx(H, TMP, base, at)).add(Insn.alu32Reg(ADD, y, TMP));
            case 1 -> code.add(Insn.ldx(B, TMP, base, at)).add(Insn.alu32Reg(ADD, y, TMP));
            default -> {
            }
        }
    }

    /** The little-endian word made of the bytes {@code [from, from + 4)} of the last {@code left} bytes, missing ones as 0. */
    private static int tail(MemorySegment seg, long p, int left, int from) {
        int w = 0;
        for (int i = Math.min(left, from + 4) - 1; i >= from; i--) {
            w = (w << 8) | (seg.get(ValueLayout.JAVA_BYTE, p + i) & 0xff);
        }
        return w;
    }
}
