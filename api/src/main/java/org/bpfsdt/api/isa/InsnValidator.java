package org.bpfsdt.api.isa;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.List;

import org.bpfsdt.api.BpfException;

/**
 * The structural checks every engine relies on before it looks at a program: known opcodes
 * with valid fields, registers r0..r10 (r10 read-only), whole LDDWs, jump and call targets
 * inside the program and not inside an LDDW, an {@code exit}, no falling off the end. It says
 * nothing about memory safety; that is the verifier's job.
 */
public final class InsnValidator {
    private InsnValidator() {
    }

    /** Throws {@link BpfException} ({@code EINVAL}) naming the first bad instruction. */
    public static void validate(List<Insn> insns) {
        int n = insns.size();
        if (n == 0) {
            throw BpfException.einval("the program is empty");
        }
        boolean[] lddwTail = new boolean[n];
        boolean hasExit = false;
        for (int pc = 0; pc < n; pc++) {
            Insn insn = insns.get(pc);
            if (lddwTail[pc]) {
                continue;
            }
            String problem = problem(insn);
            if (problem != null) {
                throw fail(pc, insn, problem);
            }
            if (insn.isLddw()) {
                if (pc + 1 >= n) {
                    throw fail(pc, insn, "truncated LDDW: its second slot is missing at the end of the program");
                }
                Insn next = insns.get(pc + 1);
                if (next.opcode() != 0 || next.dst() != 0 || next.src() != 0 || next.off() != 0) {
                    throw fail(pc, insn, "truncated LDDW: slot " + (pc + 1) + " must be its second half (all fields but imm zero), found "
                            + String.format("0x%016x", next.encode()));
                }
                lddwTail[pc + 1] = true;
            }
            hasExit |= insn.isExit();
        }
        for (int pc = 0; pc < n; pc++) {
            if (lddwTail[pc]) {
                continue;
            }
            Insn insn = insns.get(pc);
            if (insn.isJump() || insn.opcode() == MAY_GOTO_OP) {
                checkTarget(insns, lddwTail, pc, insn, insn.jumpTarget(pc), "jump");
            } else if (insn.isLocalCall()) {
                checkTarget(insns, lddwTail, pc, insn, pc + 1 + insn.imm(), "call");
            } else if (insn.isLddw() && insn.src() == PSEUDO_FUNC) {
                checkTarget(insns, lddwTail, pc, insn, pc + 1 + insn.imm(), "function address");
            }
        }
        if (!hasExit) {
            throw BpfException.einval("the program has no exit instruction");
        }
        int last = lddwTail[n - 1] ? n - 2 : n - 1;
        Insn tail = insns.get(last);
        if (!tail.isExit() && !tail.isUnconditionalJump()) {
            throw fail(last, tail, "the last instruction is neither exit nor an unconditional jump, so execution could run off the end");
        }
    }

    private static void checkTarget(List<Insn> insns, boolean[] lddwTail, int pc, Insn insn, long target, String what) {
        if (target < 0 || target >= insns.size()) {
            throw fail(pc, insn, what + " target " + target + " is outside the program (0.." + (insns.size() - 1) + ")");
        }
        if (lddwTail[(int) target]) {
            throw fail(pc, insn, what + " target " + target + " is the middle of an LDDW");
        }
    }

    private static BpfException fail(int pc, Insn insn, String problem) {
        return BpfException.einval(String.format("insn %d (%016x): %s", pc, insn.encode(), problem));
    }

    /** What is wrong with this slot on its own, or {@code null} when nothing is. */
    public static String problem(Insn insn) {
        int code = insn.opcode();
        int dst = insn.dst();
        int src = insn.src();
        if (dst > MAX_REG) {
            return "bad destination register r" + dst;
        }
        if (src > MAX_REG) {
            return "bad source register r" + src;
        }
        return switch (cls(code)) {
            case ALU, ALU64 -> alu(insn);
            case JMP, JMP32 -> jmp(insn);
            case LD -> ld(insn);
            case LDX -> {
                int mode = mode(code);
                if (mode != MEM && !(mode == MEMSX && size(code) != DW)) {
                    yield unknown(code);
                }
                yield dst == FP ? "r10 (frame pointer) is read-only" : insn.imm() != 0 ? "reserved imm field is not zero" : null;
            }
            case ST -> mode(code) == MEM ? (src != 0 ? "reserved source register field is not zero" : null) : unknown(code);
            case STX -> stx(insn);
            default -> unknown(code);
        };
    }

    private static String unknown(int code) {
        return String.format("unknown opcode 0x%02x", code);
    }

    private static String alu(Insn insn) {
        int code = insn.opcode();
        int op = op(code);
        boolean is64 = cls(code) == ALU64;
        boolean reg = source(code) == X;
        if (op > END) {
            return unknown(code);
        }
        if (insn.dst() == FP) {
            return "r10 (frame pointer) is read-only";
        }
        if (op == END) {
            if (is64 && reg) {
                return unknown(code);
            }
            int imm = insn.imm();
            if (imm != 16 && imm != 32 && imm != 64) {
                return "byte swap width " + imm + " is not 16, 32 or 64";
            }
            return insn.src() != 0 || insn.off() != 0 ? "reserved fields of a byte swap are not zero" : null;
        }
        if (op == NEG) {
            return reg || insn.src() != 0 || insn.off() != 0 || insn.imm() != 0 ? "neg takes no source operand" : null;
        }
        if (!reg && insn.src() != 0) {
            return "reserved source register field is not zero";
        }
        if (reg && insn.imm() != 0) {
            return "reserved imm field is not zero";
        }
        int off = insn.off();
        if (op == DIV || op == MOD) {
            return off == 0 || off == 1 ? null : "offset " + off + " of a division is neither 0 (unsigned) nor 1 (signed)";
        }
        if (op == MOV) {
            if (off == 0) {
                return null;
            }
            boolean ok = reg && (off == 8 || off == 16 || (is64 && off == 32));
            return ok ? null : "sign-extending move width " + off + " is not valid here";
        }
        return off != 0 ? "reserved offset field is not zero" : null;
    }

    private static String jmp(Insn insn) {
        int code = insn.opcode();
        int op = op(code);
        boolean is32 = cls(code) == JMP32;
        boolean reg = source(code) == X;
        switch (op) {
            case JA:
                if (reg) {
                    return unknown(code);
                }
                if (insn.dst() != 0 || insn.src() != 0) {
                    return "reserved register fields of a jump are not zero";
                }
                return is32 ? (insn.off() != 0 ? "gotol keeps its offset in imm; off must be zero" : null)
                        : (insn.imm() != 0 ? "reserved imm field of goto is not zero" : null);
            case CALL:
                if (is32) {
                    return unknown(code);
                }
                if (reg) {
                    return insn.src() != 0 || insn.off() != 0 || insn.imm() != 0 ? "callx takes only its target register (dst)" : null;
                }
                if (insn.dst() != 0 || insn.off() != 0) {
                    return "reserved fields of a call are not zero";
                }
                return insn.src() <= PSEUDO_KFUNC_CALL ? null : "unknown call kind (src " + insn.src() + ")";
            case EXIT:
                if (is32 || reg) {
                    return unknown(code);
                }
                return insn.dst() != 0 || insn.src() != 0 || insn.off() != 0 || insn.imm() != 0 ? "reserved fields of exit are not zero" : null;
            case JCOND:
                if (is32 || reg) {
                    return unknown(code);
                }
                return insn.dst() != 0 || insn.src() != 0 || insn.imm() != 0 ? "reserved fields of may_goto are not zero" : null;
            case JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE:
                if (!reg && insn.src() != 0) {
                    return "reserved source register field is not zero";
                }
                return reg && insn.imm() != 0 ? "reserved imm field is not zero" : null;
            default:
                return unknown(code);
        }
    }

    private static String ld(Insn insn) {
        int code = insn.opcode();
        if (code == LDDW) {
            if (insn.dst() == FP) {
                return "r10 (frame pointer) is read-only";
            }
            if (insn.src() > PSEUDO_MAP_IDX_VALUE) {
                return "unknown LDDW pseudo source " + insn.src();
            }
            return insn.off() != 0 ? "reserved offset field of LDDW is not zero" : null;
        }
        int mode = mode(code);
        if ((mode == ABS || mode == IND) && size(code) != DW) {
            // legacy packet loads of socket filters: the result goes to r0
            return insn.dst() != 0 || (mode == ABS && insn.src() != 0) ? "reserved register fields of a legacy packet load are not zero" : null;
        }
        return unknown(code);
    }

    private static String stx(Insn insn) {
        int code = insn.opcode();
        int mode = mode(code);
        if (mode == MEM) {
            return insn.imm() != 0 ? "reserved imm field is not zero" : null;
        }
        if (mode != ATOMIC) {
            return unknown(code);
        }
        int size = size(code);
        if (size != W && size != DW) {
            return "atomic operations work on 32 or 64 bits only";
        }
        int imm = insn.imm();
        return switch (imm) {
            case ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR, ATOMIC_ADD | FETCH, ATOMIC_OR | FETCH,
                    ATOMIC_AND | FETCH, ATOMIC_XOR | FETCH, XCHG, CMPXCHG -> null;
            default -> String.format("unknown atomic operation 0x%02x", imm);
        };
    }
}
