package org.bpfsdt.maps.array;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.bpfsdt.api.isa.Insn;

/** Runs the few instruction forms inlined lookups use (r1 = map header, r2 = key), to check them against the helper. */
final class InsnEval {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private InsnEval() {
    }

    static long run(List<Insn> insns, long r1, long r2) {
        long[] r = new long[11];
        r[1] = r1;
        r[2] = r2;
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn i = insns.get(pc);
            switch (i.opcode()) {
                case 0x79 -> r[i.dst()] = ALL.get(ValueLayout.JAVA_LONG_UNALIGNED, r[i.src()] + i.off());
                case 0x61 -> r[i.dst()] = Integer.toUnsignedLong(ALL.get(ValueLayout.JAVA_INT_UNALIGNED, r[i.src()] + i.off()));
                case 0x36 -> pc += Integer.compareUnsigned((int) r[i.dst()], i.imm()) >= 0 ? i.off() : 0;
                case 0x54 -> r[i.dst()] = Integer.toUnsignedLong((int) r[i.dst()] & i.imm());
                case 0x67 -> r[i.dst()] <<= i.imm();
                case 0x27 -> r[i.dst()] *= i.imm();
                case 0x0f -> r[i.dst()] += r[i.src()];
                case 0x05 -> pc += i.off();
                case 0xb7 -> r[i.dst()] = i.imm();
                default -> throw new IllegalArgumentException("not an inlined-lookup instruction: " + i);
            }
        }
        return r[0];
    }
}
