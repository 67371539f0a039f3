package org.bpfsdt.verifier.domain;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.LongBinaryOperator;

import org.junit.jupiter.api.Test;

/** Tnum operations contain every result of the operation on their members (soundness), checked on random values. */
class TnumTest {
    private final Random rnd = new Random(5);

    private Tnum randomTnum() {
        long mask = switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> rnd.nextLong() & 0xff;
            case 2 -> rnd.nextLong() & rnd.nextLong();
            default -> rnd.nextLong();
        };
        return new Tnum(rnd.nextLong() & ~mask, mask);
    }

    private long member(Tnum t) {
        return t.value() | (rnd.nextLong() & t.mask());
    }

    private void sound(String name, BinaryOperator<Tnum> abstractOp, LongBinaryOperator concrete) {
        for (int i = 0; i < 20_000; i++) {
            Tnum a = randomTnum(), b = randomTnum();
            Tnum r = abstractOp.apply(a, b);
            for (int k = 0; k < 4; k++) {
                long x = member(a), y = member(b);
                long z = concrete.applyAsLong(x, y);
                assertTrue(r.contains(Tnum.constant(z)), name + ": " + a + " op " + b + " = " + r + " misses " + Long.toHexString(z));
            }
        }
    }

    @Test
    void arithmeticIsSound() {
        sound("add", Tnum::add, (x, y) -> x + y);
        sound("sub", Tnum::sub, (x, y) -> x - y);
        sound("mul", Tnum::mul, (x, y) -> x * y);
        sound("and", Tnum::and, (x, y) -> x & y);
        sound("or", Tnum::or, (x, y) -> x | y);
        sound("xor", Tnum::xor, (x, y) -> x ^ y);
    }

    @Test
    void rangeHoldsItsEnds() {
        for (int i = 0; i < 20_000; i++) {
            long a = rnd.nextLong() >>> rnd.nextInt(64), b = rnd.nextLong() >>> rnd.nextInt(64);
            long min = RegState.umin64(a, b), max = RegState.umax64(a, b);
            Tnum t = Tnum.range(min, max);
            assertTrue(t.contains(Tnum.constant(min)) && t.contains(Tnum.constant(max)));
            assertEquals(t.mask(), Tnum.rangeMask(min, max));
        }
    }

    @Test
    void multiplicationOfConstantsIsExact() {
        assertEquals(Tnum.constant(6 * 7), Tnum.constant(6).mul(Tnum.constant(7)));
        assertEquals(new Tnum(0, 0x3fc), new Tnum(0, 0xff).mul(Tnum.constant(4)));
    }

    @Test
    void printsAsTheKernel() {
        assertEquals("(0x0; 0xff)", new Tnum(0, 0xff).toString());
    }
}
