package org.bpfsdt.jit.x86_64.codegen;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.List;

import org.bpfsdt.api.isa.Insn;

/**
 * Which BPF registers each instruction's result may still be read from: a backward dataflow over
 * a function's control flow, so the code generator can leave out what only preserves dead
 * values (the saves around a division, the second half of a rotation's scratch register).
 * Conservative where it must be: calls read r1..r5 and leave r0..r5 undefined, {@code exit}
 * reads r0, a probe site reads everything (its trampoline hands registers to observers).
 */
final class Liveness {
    private static final int ARGS = 0b111110;
    private static final int CALLER_SAVED = 0b111111;
    private static final int ALL = (1 << 10) - 1;

    /** Registers live after each slot, as a bit set (bit n = rn); r10 is never tracked. */
    private final int[] liveOut;

    private Liveness(int[] liveOut) {
        this.liveOut = liveOut;
    }

    /** Liveness over the functions of {@code plan}, each solved on its own slots. */
    static Liveness of(ProgramPlan plan) {
        int n = plan.insns.size();
        int[] out = new int[n];
        int[] in = new int[n];
        for (FunctionPlan f : plan.functions) {
            solve(plan, f, in, out);
        }
        return new Liveness(out);
    }

    /** Whether the value of {@code bpfReg} after the instruction at {@code pc} is never read. */
    boolean deadAfter(int pc, int bpfReg) {
        return (liveOut[pc] & 1 << bpfReg) == 0;
    }

    private static void solve(ProgramPlan plan, FunctionPlan f, int[] in, int[] out) {
        List<Insn> insns = plan.insns;
        // what each instruction reads and writes does not change between iterations
        int[] uses = new int[f.end() - f.start()];
        int[] defs = new int[uses.length];
        for (int pc = f.start(); pc < f.end(); pc++) {
            uses[pc - f.start()] = uses(insns.get(pc), plan.probeAt[pc] >= 0);
            defs[pc - f.start()] = defs(insns.get(pc));
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int pc = f.end() - 1; pc >= f.start(); pc--) {
                if (pc > f.start() && insns.get(pc - 1).isLddw()) {
                    continue; // an LDDW's second slot: never executed
                }
                Insn insn = insns.get(pc);
                boolean probe = plan.probeAt[pc] >= 0;
                int next = pc + (insn.isLddw() ? 2 : 1);
                int live;
                if (insn.isExit()) {
                    live = 0;
                } else if (insn.isUnconditionalJump() && !probe) {
                    live = liveIn(in, f, insn.jumpTarget(pc));
                } else if (insn.isJump() && !insn.isUnconditionalJump() || insn.opcode() == MAY_GOTO_OP) {
                    live = liveIn(in, f, next) | liveIn(in, f, insn.jumpTarget(pc));
                } else {
                    live = liveIn(in, f, next);
                }
                int newIn = uses[pc - f.start()] | live & ~defs[pc - f.start()];
                if (live != out[pc] || newIn != in[pc]) {
                    out[pc] = live;
                    in[pc] = newIn;
                    changed = true;
                }
            }
        }
    }

    private static int liveIn(int[] in, FunctionPlan f, int slot) {
        return f.contains(slot) ? in[slot] : ALL;
    }

    private static int bit(int reg) {
        return reg == FP ? 0 : 1 << reg;
    }

    private static int uses(Insn insn, boolean probe) {
        int cls = insn.cls();
        int op = op(insn.opcode());
        boolean x = source(insn.opcode()) == X;
        if (probe) {
            return ALL;
        }
        if (insn.isLddw()) {
            return 0;
        }
        return switch (cls) {
            case ALU, ALU64 -> op == MOV ? (x ? bit(insn.src()) : 0) : bit(insn.dst()) | (x && op != NEG && op != END ? bit(insn.src()) : 0);
            case LDX -> bit(insn.src());
            case ST -> bit(insn.dst());
            case STX -> bit(insn.dst()) | bit(insn.src()) | (mode(insn.opcode()) == ATOMIC && insn.imm() == CMPXCHG ? bit(0) : 0);
            case JMP, JMP32 -> {
                if (insn.isExit()) {
                    yield bit(0);
                }
                if (insn.opcode() == CALLX_OP) {
                    yield ARGS | bit(insn.dst());
                }
                if (isTailCall(insn)) {
                    yield ALL; // a failed tail call falls through with every register as it was
                }
                if (insn.isCall()) {
                    yield ARGS;
                }
                if (insn.isUnconditionalJump() || insn.opcode() == MAY_GOTO_OP) {
                    yield 0;
                }
                yield bit(insn.dst()) | (x ? bit(insn.src()) : 0);
            }
            default -> ALL; // nothing else is compiled; stay safe
        };
    }

    private static boolean isTailCall(Insn insn) {
        return insn.isHelperCall() && insn.imm() == org.bpfsdt.api.HelperId.TAIL_CALL.id();
    }

    private static int defs(Insn insn) {
        int cls = insn.cls();
        if (insn.isLddw()) {
            return bit(insn.dst());
        }
        return switch (cls) {
            case ALU, ALU64, LDX -> bit(insn.dst());
            case STX -> {
                if (mode(insn.opcode()) != ATOMIC) {
                    yield 0;
                }
                if (insn.imm() == CMPXCHG) {
                    yield bit(0);
                }
                yield (insn.imm() & FETCH) != 0 ? bit(insn.src()) : 0;
            }
            case JMP, JMP32 -> insn.isCall() && !isTailCall(insn) ? CALLER_SAVED : 0;
            default -> 0;
        };
    }
}
