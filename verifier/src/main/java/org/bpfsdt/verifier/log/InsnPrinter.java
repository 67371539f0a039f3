package org.bpfsdt.verifier.log;

import static org.bpfsdt.api.isa.Opcodes.*;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.isa.Insn;

/** Prints instructions the way the kernel's verifier log does ({@code print_bpf_insn}): {@code (61) r2 = *(u32 *)(r1 +4)}. */
public final class InsnPrinter {
    private static final String[] ALU_OPS = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=", "s>>=", "endian"};
    private static final String[] JMP_OPS = {"jmp", "==", ">", ">=", "&", "!=", "s>", "s>=", "call", "exit", "<", "<=", "s<", "s<=", "cond"};

    private InsnPrinter() {
    }

    /**
     * The text of instruction {@code in} ({@code next} is the following slot, for LDDW); a map
     * load names its map {@code map[N]} by its operand, where the kernel prints the address.
     */
    public static String print(Insn in, Insn next) {
        int code = in.opcode();
        String head = String.format("(%02x) ", code);
        return head + switch (cls(code)) {
            case ALU, ALU64 -> alu(in);
            case STX -> stx(in);
            case ST -> String.format("*(%s *)(r%d %+d) = %d", ldst(code), in.dst(), in.off(), in.imm());
            case LDX -> String.format("r%d = *(%s%s *)(r%d %+d)", in.dst(), mode(code) == MEMSX ? "s" : "", mode(code) == MEMSX ? sizeBits(code) : ldst(code),
                    in.src(), in.off());
            case LD -> ld(in, next);
            default -> jmp(in);
        };
    }

    private static String ldst(int code) {
        return switch (org.bpfsdt.api.isa.Opcodes.size(code)) {
            case W -> "u32";
            case H -> "u16";
            case B -> "u8";
            default -> "u64";
        };
    }

    private static String sizeBits(int code) {
        return switch (org.bpfsdt.api.isa.Opcodes.size(code)) {
            case W -> "32";
            case H -> "16";
            case B -> "8";
            default -> "64";
        };
    }

    private static String alu(Insn in) {
        int code = in.opcode();
        char r = cls(code) == ALU64 ? 'r' : 'w';
        int op = op(code);
        if (op == END) {
            if (cls(code) == ALU64) {
                return String.format("r%d = bswap%d r%d", in.dst(), in.imm(), in.dst());
            }
            return String.format("r%d = %s%d r%d", in.dst(), source(code) == TO_BE ? "be" : "le", in.imm(), in.dst());
        }
        if (op == NEG) {
            return String.format("%c%d = -%c%d", r, in.dst(), r, in.dst());
        }
        if (op == MOV && in.off() != 0) {
            return String.format("%c%d = (s%d)%c%d", r, in.dst(), in.off(), r, in.src());
        }
        String o = ALU_OPS[op >> 4];
        if ((op == DIV || op == MOD) && in.off() == 1) {
            o = "s" + o;
        }
        if (source(code) == X) {
            return String.format("%c%d %s %c%d", r, in.dst(), o, r, in.src());
        }
        return String.format("%c%d %s %d", r, in.dst(), o, in.imm());
    }

    private static String stx(Insn in) {
        int code = in.opcode();
        if (mode(code) == MEM) {
            return String.format("*(%s *)(r%d %+d) = r%d", ldst(code), in.dst(), in.off(), in.src());
        }
        String w = org.bpfsdt.api.isa.Opcodes.size(code) == DW ? "64" : "";
        int imm = in.imm();
        if (imm == XCHG) {
            return String.format("r%d = atomic%s_xchg((%s *)(r%d %+d), r%d)", in.src(), w, ldst(code), in.dst(), in.off(), in.src());
        }
        if (imm == CMPXCHG) {
            return String.format("r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)", w, ldst(code), in.dst(), in.off(), in.src());
        }
        String name = switch (imm & ~FETCH) {
            case ATOMIC_ADD -> "add";
            case ATOMIC_AND -> "and";
            case ATOMIC_OR -> "or";
            default -> "xor";
        };
        if ((imm & FETCH) != 0) {
            return String.format("r%d = atomic%s_fetch_%s((%s *)(r%d %+d), r%d)", in.src(), w, name, ldst(code), in.dst(), in.off(), in.src());
        }
        String o = ALU_OPS[(imm & 0xf0) >> 4];
        return String.format("lock *(%s *)(r%d %+d) %s r%d", ldst(code), in.dst(), in.off(), o, in.src());
    }

    /** The log's name of ALU operation {@code op} ({@code BPF_OP} bits): {@code +=}, {@code s>>=}... */
    public static String aluOp(int op) {
        return ALU_OPS[op >> 4];
    }

    private static String mapName(int operand) {
        return "map[" + operand + "]";
    }

    private static String ld(Insn in, Insn next) {
        int code = in.opcode();
        if (code == LDDW) {
            long imm = in.imm64(next == null ? new Insn(0, 0, 0, 0, 0) : next);
            String v = switch (in.src()) {
                case PSEUDO_MAP_FD, PSEUDO_MAP_IDX -> mapName(in.imm());
                case PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE -> mapName(in.imm()) + "[0]+" + (next == null ? 0 : next.imm());
                case PSEUDO_FUNC -> "func pc" + String.format("%+d", in.imm());
                default -> "0x" + Long.toHexString(imm);
            };
            return String.format("r%d = %s", in.dst(), v);
        }
        if (mode(code) == ABS) {
            return String.format("r0 = *(%s *)skb[%d]", ldst(code), in.imm());
        }
        return String.format("r0 = *(%s *)skb[r%d + %d]", ldst(code), in.src(), in.imm());
    }

    private static String jmp(Insn in) {
        int code = in.opcode();
        int op = op(code);
        if (op == CALL) {
            if (code == CALLX_OP) {
                return "callx r" + in.dst();
            }
            if (in.src() == PSEUDO_CALL) {
                return String.format("call pc%+d", in.imm());
            }
            if (in.src() == PSEUDO_KFUNC_CALL) {
                return "call kernel-function";
            }
            HelperId h = HelperId.byId(in.imm());
            return h == null ? "call unknown#" + in.imm() : "call " + h.cName() + "#" + in.imm();
        }
        if (op == EXIT) {
            return "exit";
        }
        if (code == MAY_GOTO_OP) {
            return String.format("may_goto pc%+d", in.off());
        }
        if (op == JA) {
            return cls(code) == JMP32 ? String.format("gotol pc%+d", in.imm()) : String.format("goto pc%+d", in.off());
        }
        char r = cls(code) == JMP32 ? 'w' : 'r';
        if (source(code) == X) {
            return String.format("if %c%d %s %c%d goto pc%+d", r, in.dst(), JMP_OPS[op >> 4], r, in.src(), in.off());
        }
        return String.format("if %c%d %s 0x%x goto pc%+d", r, in.dst(), JMP_OPS[op >> 4], in.imm(), in.off());
    }
}
