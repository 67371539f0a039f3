package org.bpfsdt.verifier.domain;

import static org.bpfsdt.api.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The ALU transfer functions are sound: for random abstract operands and concrete values they
 * describe, the concrete result is described by the abstract result (tnum and all four ranges).
 */
class ScalarOpsTest {
    private final Random rnd = new Random(11);

    /** An abstract scalar from a random unsigned range, brought into agreement; null when the range says nothing useful. */
    private RegState randomScalar() {
        RegState r = new RegState();
        switch (rnd.nextInt(5)) {
            case 0 -> r.markKnown(interesting());
            case 1 -> r.markUnknown();
            default -> {
                long a = interesting(), b = interesting();
                r.markUnknown();
                r.umin = RegState.umin64(a, b);
                r.umax = RegState.umax64(a, b);
                if (rnd.nextBoolean()) {
                    r.zext32To64();
                    r.u32min = (int) Math.min(r.umin, 0xffffffffL);
                }
                r.sync();
            }
        }
        return r;
    }

    private long interesting() {
        return switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextInt(64) - 8;
            case 1 -> rnd.nextLong() & 0xffffffffL;
            case 2 -> -1L - rnd.nextInt(4);
            case 3 -> Long.MIN_VALUE + rnd.nextInt(4);
            case 4 -> (long) rnd.nextInt();
            default -> rnd.nextLong();
        };
    }

    /** A concrete value the abstract scalar describes, or null when sampling finds none. */
    private Long member(RegState r) {
        for (int i = 0; i < 50; i++) {
            long v = switch (rnd.nextInt(4)) {
                case 0 -> r.umin;
                case 1 -> r.umax;
                case 2 -> r.tValue | (rnd.nextLong() & r.tMask);
                default -> r.umin + (long) (rnd.nextDouble() * (double) (r.umax - r.umin));
            };
            if (describes(r, v)) {
                return v;
            }
        }
        return null;
    }

    static boolean describes(RegState r, long v) {
        return r.varOff().contains(Tnum.constant(v)) && Long.compareUnsigned(v, r.umin) >= 0 && Long.compareUnsigned(v, r.umax) <= 0
                && v >= r.smin && v <= r.smax && Integer.compareUnsigned((int) v, r.u32min) >= 0 && Integer.compareUnsigned((int) v, r.u32max) <= 0
                && (int) v >= r.s32min && (int) v <= r.s32max;
    }

    private static long concrete(int op, boolean alu32, long x, long y) {
        if (alu32) {
            int a = (int) x, b = (int) y;
            int r = switch (op) {
                case ADD -> a + b;
                case SUB -> a - b;
                case MUL -> a * b;
                case AND -> a & b;
                case OR -> a | b;
                case XOR -> a ^ b;
                case LSH -> a << (b & 31);
                case RSH -> a >>> (b & 31);
                case ARSH -> a >> (b & 31);
                default -> -a;
            };
            return r & 0xffffffffL;
        }
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case AND -> x & y;
            case OR -> x | y;
            case XOR -> x ^ y;
            case LSH -> x << (y & 63);
            case RSH -> x >>> (y & 63);
            case ARSH -> x >> (y & 63);
            default -> -x;
        };
    }

    @Test
    void everyOperationIsSound() {
        int[] ops = {ADD, SUB, MUL, AND, OR, XOR, LSH, RSH, ARSH, NEG};
        int checked = 0;
        for (int i = 0; i < 60_000; i++) {
            int op = ops[rnd.nextInt(ops.length)];
            boolean alu32 = rnd.nextBoolean();
            RegState a = randomScalar();
            RegState b = op == LSH || op == RSH || op == ARSH ? shiftAmount(alu32) : randomScalar();
            Long x = member(a), y = member(b);
            if (x == null || y == null) {
                continue;
            }
            RegState r = new RegState(a);
            ScalarOps.apply(op, alu32, r, op == NEG ? null : new RegState(b));
            long z = concrete(op, alu32, x, y);
            RegState before = a;
            assertTrue(describes(r, z), () -> "op " + op + (alu32 ? " (32-bit)" : "") + ": " + Long.toHexString(x) + ", " + Long.toHexString(y)
                    + " -> " + Long.toHexString(z) + " not in tnum " + r.varOff() + " u[" + Long.toHexString(r.umin) + "," + Long.toHexString(r.umax)
                    + "] s[" + r.smin + "," + r.smax + "] u32[" + Integer.toHexString(r.u32min) + "," + Integer.toHexString(r.u32max) + "] s32["
                    + r.s32min + "," + r.s32max + "] from " + before.varOff() + " " + b.varOff());
            checked++;
        }
        assertTrue(checked > 30_000, "only " + checked + " cases could be sampled");
    }

    private RegState shiftAmount(boolean alu32) {
        RegState s = new RegState();
        s.markKnown(rnd.nextInt(alu32 ? 32 : 64));
        return s;
    }

    @Test
    void multiplyingTwoLarge32BitRangesForgetsTheBounds() {
        RegState minusOne = new RegState();
        minusOne.markKnown(-1);
        RegState u32 = new RegState();
        u32.markUnknown();
        u32.zext32To64();
        u32.sync();
        ScalarOps.apply(MUL, false, minusOne, u32);
        assertTrue(describes(minusOne, -0x12345678L), "-1 * 0x12345678 is a possible result");
    }
}
