package org.bpfsdt.api.isa;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.List;

/**
 * Prints instructions in the conformance suite's assembly syntax, which {@link Assembler}
 * reads back to the same slots: jump targets are written as relative offsets ({@code +3}).
 */
public final class Disassembler {
    private Disassembler() {
    }

    /** One line per instruction (an LDDW takes one line for its two slots). */
    public static String disassemble(List<Insn> insns) {
        StringBuilder sb = new StringBuilder();
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn insn = insns.get(pc);
            if (insn.isLddw() && pc + 1 < insns.size()) {
                sb.append(lddw(insn, insns.get(pc + 1))).append('\n');
                pc++;
            } else {
                sb.append(formatSlot(insn)).append('\n');
            }
        }
        return sb.toString();
    }

    /** The assembly of one slot; an LDDW's first slot shows only its low 32 bits. */
    public static String formatSlot(Insn insn) {
        String problem = InsnValidator.problem(insn);
        if (problem != null && !problem.startsWith("reserved")) {
            return String.format(".quad 0x%016x  # %s", insn.encode(), problem);
        }
        int code = insn.opcode();
        return switch (cls(code)) {
            case ALU, ALU64 -> alu(insn);
            case JMP, JMP32 -> jmp(insn);
            case LDX -> "ldx" + (mode(code) == MEMSX ? "s" : "") + size(code) + " " + r(insn.dst()) + ", " + mem(insn.src(), insn.off());
            case ST -> "st" + size(code) + " " + mem(insn.dst(), insn.off()) + ", " + imm(insn.imm());
            case STX -> mode(code) == ATOMIC ? atomic(insn) : "stx" + size(code) + " " + mem(insn.dst(), insn.off()) + ", " + r(insn.src());
            default -> code == LDDW ? lddw(insn, new Insn(0, 0, 0, 0, 0))
                    : mode(code) == ABS ? "ldabs" + size(code) + " " + imm(insn.imm())
                    : "ldind" + size(code) + " " + r(insn.src()) + ", " + imm(insn.imm());
        };
    }

    private static String lddw(Insn lo, Insn hi) {
        String head = "lddw " + r(lo.dst()) + ", ";
        return switch (lo.src()) {
            case PSEUDO_MAP_IDX -> head + "map[" + lo.imm() + "]";
            case PSEUDO_MAP_IDX_VALUE -> head + "map_value[" + lo.imm() + "]+" + hi.imm();
            case PSEUDO_MAP_FD -> head + "map_fd[" + lo.imm() + "]";
            case PSEUDO_MAP_VALUE -> head + "map_fd_value[" + lo.imm() + "]+" + hi.imm();
            case PSEUDO_FUNC -> head + "func " + rel(lo.imm());
            case 0 -> head + String.format("0x%x", lo.imm64(hi));
            default -> head + String.format("0x%x", lo.imm64(hi)) + "  # pseudo src " + lo.src();
        };
    }

    private static String size(int code) {
        return switch (Opcodes.size(code)) {
            case W -> "w";
            case H -> "h";
            case B -> "b";
            default -> "dw";
        };
    }

    private static String alu(Insn insn) {
        int code = insn.opcode();
        boolean is32 = cls(code) == ALU;
        String sfx = is32 ? "32" : "";
        int op = op(code);
        if (op == END) {
            String kind = !is32 ? "bswap" : source(code) == TO_BE ? "be" : "le";
            return kind + insn.imm() + " " + r(insn.dst());
        }
        if (op == NEG) {
            return "neg" + sfx + " " + r(insn.dst());
        }
        if (op == MOV && insn.off() != 0) {
            return "movsx" + insn.off() + (is32 ? "32" : "64") + " " + r(insn.dst()) + ", " + r(insn.src());
        }
        String name = switch (op) {
            case ADD -> "add";
            case SUB -> "sub";
            case MUL -> "mul";
            case DIV -> insn.off() == 1 ? "sdiv" : "div";
            case OR -> "or";
            case AND -> "and";
            case LSH -> "lsh";
            case RSH -> "rsh";
            case MOD -> insn.off() == 1 ? "smod" : "mod";
            case XOR -> "xor";
            case MOV -> "mov";
            default -> "arsh";
        };
        return name + sfx + " " + r(insn.dst()) + ", " + (source(code) == X ? r(insn.src()) : imm(insn.imm()));
    }

    private static String jmp(Insn insn) {
        int code = insn.opcode();
        boolean is32 = cls(code) == JMP32;
        int op = op(code);
        switch (op) {
            case JA:
                return is32 ? "ja32 " + rel(insn.imm()) : "ja " + rel(insn.off());
            case CALL:
                if (source(code) == X) {
                    return "call " + r(insn.dst());
                }
                return switch (insn.src()) {
                    case PSEUDO_CALL -> "call local " + rel(insn.imm());
                    case PSEUDO_KFUNC_CALL -> "call runtime " + insn.imm();
                    default -> "call " + insn.imm();
                };
            case EXIT:
                return "exit";
            case JCOND:
                return "may_goto " + rel(insn.off());
            default:
                String name = switch (op) {
                    case JEQ -> "jeq";
                    case JGT -> "jgt";
                    case JGE -> "jge";
                    case JSET -> "jset";
                    case JNE -> "jne";
                    case JSGT -> "jsgt";
                    case JSGE -> "jsge";
                    case JLT -> "jlt";
                    case JLE -> "jle";
                    case JSLT -> "jslt";
                    default -> "jsle";
                };
                return name + (is32 ? "32" : "") + " " + r(insn.dst()) + ", "
                        + (source(code) == X ? r(insn.src()) : imm(insn.imm())) + ", " + rel(insn.off());
        }
    }

    private static String atomic(Insn insn) {
        String w = Opcodes.size(insn.opcode()) == W ? "32" : "";
        int imm = insn.imm();
        String mem = mem(insn.dst(), insn.off());
        if (imm == XCHG) {
            return "lock xchg" + w + " " + mem + ", " + r(insn.src());
        }
        if (imm == CMPXCHG) {
            return "lock cmpxchg" + w + " " + mem + ", " + r(insn.src());
        }
        String op = switch (imm & ~FETCH) {
            case ATOMIC_ADD -> "add";
            case ATOMIC_OR -> "or";
            case ATOMIC_AND -> "and";
            default -> "xor";
        };
        return "lock " + ((imm & FETCH) != 0 ? "fetch " : "") + op + w + " " + mem + ", " + r(insn.src());
    }

    private static String r(int reg) {
        return "%r" + reg;
    }

    private static String mem(int reg, int off) {
        return "[" + r(reg) + (off < 0 ? "-" + (-off) : "+" + off) + "]";
    }

    private static String rel(int off) {
        return off < 0 ? Integer.toString(off) : "+" + off;
    }

    private static String imm(int v) {
        return v > -0x10000 && v < 0x10000 ? Integer.toString(v) : String.format("0x%x", v);
    }
}
