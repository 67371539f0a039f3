package org.bpfsdt.maps;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.bpfsdt.api.isa.Insn;

/**
 * Runs the instructions maps hand to engines (inlined lookups, lookup functions: r1 = map header,
 * r2 = key, result in r0), to check them against the map's own Java: loads and stores at native
 * addresses, 32- and 64-bit ALU, 64- and 32-bit jumps, LDDW and exit. Anything else is refused,
 * so a generator that strays from this subset fails its test.
 */
public final class InsnEval {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private InsnEval() {
    }

    /** r0 after running {@code insns} from slot 0 with r1 and r2 set (to the first exit, or past the end). */
    public static long run(List<Insn> insns, long r1, long r2) {
        long[] r = new long[11];
        r[1] = r1;
        r[2] = r2;
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn i = insns.get(pc);
            int cls = i.cls();
            if (i.isLddw()) {
                r[i.dst()] = i.imm64(insns.get(++pc));
            } else if (i.isExit()) {
                return r[0];
            } else if (cls == LDX && mode(i.opcode()) == MEM) {
                long addr = r[i.src()] + i.off();
                r[i.dst()] = switch (size(i.opcode())) {
                    case B -> ALL.get(ValueLayout.JAVA_BYTE, addr) & 0xffL;
                    case H -> ALL.get(ValueLayout.JAVA_SHORT_UNALIGNED, addr) & 0xffffL;
                    case W -> ALL.get(ValueLayout.JAVA_INT_UNALIGNED, addr) & 0xffffffffL;
                    default -> ALL.get(ValueLayout.JAVA_LONG_UNALIGNED, addr);
                };
            } else if (cls == ST && mode(i.opcode()) == MEM && size(i.opcode()) == W) {
                ALL.set(ValueLayout.JAVA_INT_UNALIGNED, r[i.dst()] + i.off(), i.imm());
            } else if (cls == ALU || cls == ALU64) {
                long v = source(i.opcode()) == X ? r[i.src()] : i.imm();
                long d = r[i.dst()];
                boolean is64 = cls == ALU64;
                long out = switch (op(i.opcode())) {
                    case MOV -> v;
                    case ADD -> d + v;
                    case SUB -> d - v;
                    case MUL -> d * v;
                    case OR -> d | v;
                    case AND -> d & v;
                    case XOR -> d ^ v;
                    case LSH -> is64 ? d << (v & 63) : (long) ((int) d << (v & 31));
                    case RSH -> is64 ? d >>> (v & 63) : (long) ((int) d >>> (v & 31));
                    default -> throw new IllegalArgumentException("not an instruction maps generate: " + i);
                };
                r[i.dst()] = is64 ? out : out & 0xffffffffL;
            } else if (cls == JMP || cls == JMP32) {
                long a = r[i.dst()];
                long b = source(i.opcode()) == X ? r[i.src()] : i.imm();
                if (cls == JMP32) {
                    a &= 0xffffffffL;
                    b &= 0xffffffffL;
                }
                boolean taken = switch (op(i.opcode())) {
                    case JA -> true;
                    case JEQ -> a == b;
                    case JNE -> a != b;
                    case JGE -> Long.compareUnsigned(a, b) >= 0;
                    default -> throw new IllegalArgumentException("not an instruction maps generate: " + i);
                };
                pc += taken ? i.off() : 0;
            } else {
                throw new IllegalArgumentException("not an instruction maps generate: " + i);
            }
        }
        return r[0];
    }
}
