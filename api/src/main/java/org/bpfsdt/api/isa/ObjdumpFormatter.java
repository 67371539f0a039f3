package org.bpfsdt.api.isa;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A disassembly for people in the style of {@code llvm-objdump -d}: slot number, raw bytes and
 * LLVM's C-like BPF syntax ({@code r0 = *(u32 *)(r1 + 0x4)}, {@code if w1 > 0x64 goto +0xd}).
 */
public final class ObjdumpFormatter {
    private ObjdumpFormatter() {
    }

    /** The listing of {@code insns} with no annotations. */
    public static String format(List<Insn> insns) {
        return format(insns, pc -> null);
    }

    /**
     * The listing of {@code insns}; {@code annotation} gives, for a slot, text to print on lines
     * of its own above it (a function label, {@code ; file.c:12}, a source line) or {@code null}.
     */
    public static String format(List<Insn> insns, IntFunction<String> annotation) {
        StringBuilder sb = new StringBuilder();
        for (int pc = 0; pc < insns.size(); pc++) {
            String note = annotation.apply(pc);
            if (note != null && !note.isEmpty()) {
                sb.append(note).append(note.endsWith("\n") ? "" : "\n");
            }
            sb.append(line(insns, pc)).append('\n');
            if (insns.get(pc).isLddw() && pc + 1 < insns.size()) {
                pc++;
            }
        }
        return sb.toString();
    }

    /** The line of slot {@code pc} (both slots of an LDDW), without a line break. */
    public static String line(List<Insn> insns, int pc) {
        Insn insn = insns.get(pc);
        boolean wide = insn.isLddw() && pc + 1 < insns.size();
        StringBuilder sb = new StringBuilder(String.format("%8d:\t", pc)).append(bytes(insn));
        if (wide) {
            sb.append(' ').append(bytes(insns.get(pc + 1)));
        }
        return sb.append('\t').append(wide ? lddw(insn, insns.get(pc + 1)) : text(insn)).toString();
    }

    private static String bytes(Insn insn) {
        return HexFormat.ofDelimiter(" ").formatHex(InsnCodec.encode(List.of(insn)));
    }

    private static String lddw(Insn lo, Insn hi) {
        long v = lo.imm64(hi);
        String r = "r" + lo.dst();
        return switch (lo.src()) {
            case PSEUDO_MAP_FD -> r + " = map[id:" + lo.imm() + "]";
            case PSEUDO_MAP_VALUE -> r + " = map[id:" + lo.imm() + "][0]+" + hi.imm();
            case PSEUDO_MAP_IDX -> r + " = map[idx:" + lo.imm() + "]";
            case PSEUDO_MAP_IDX_VALUE -> r + " = map[idx:" + lo.imm() + "][0]+" + hi.imm();
            case PSEUDO_FUNC -> r + " = func " + hex(lo.imm());
            case PSEUDO_BTF_ID -> r + " = btf_id " + lo.imm();
            default -> r + " = " + String.format("0x%x", v) + " ll";
        };
    }

    /** The LLVM-syntax text of one slot. */
    public static String text(Insn insn) {
        String problem = InsnValidator.problem(insn);
        if (problem != null && !problem.startsWith("reserved")) {
            return "<invalid: " + problem + ">";
        }
        int code = insn.opcode();
        return switch (cls(code)) {
            case ALU, ALU64 -> alu(insn);
            case JMP, JMP32 -> jmp(insn);
            case LDX -> "r" + insn.dst() + " = *(" + (mode(code) == MEMSX ? "s" : "u") + bits(code) + " *)" + addr(insn.src(), insn.off());
            case ST -> "*(u" + bits(code) + " *)" + addr(insn.dst(), insn.off()) + " = " + hex(insn.imm());
            case STX -> mode(code) == ATOMIC ? atomic(insn)
                    : "*(u" + bits(code) + " *)" + addr(insn.dst(), insn.off()) + " = r" + insn.src();
            default -> code == LDDW ? lddw(insn, new Insn(0, 0, 0, 0, 0))
                    : mode(code) == ABS ? "r0 = *(u" + bits(code) + " *)skb[" + hex(insn.imm()) + "]"
                    : "r0 = *(u" + bits(code) + " *)skb[r" + insn.src() + " + " + hex(insn.imm()) + "]";
        };
    }

    private static int bits(int code) {
        return 8 * sizeBytes(Opcodes.size(code));
    }

    private static String addr(int reg, int off) {
        return "(r" + reg + (off < 0 ? " - " + hex(-off) : " + " + hex(off)) + ")";
    }

    private static String hex(long v) {
        return v < 0 ? "-0x" + Long.toHexString(-v) : "0x" + Long.toHexString(v);
    }

    private static String alu(Insn insn) {
        int code = insn.opcode();
        boolean is32 = cls(code) == ALU;
        String p = is32 ? "w" : "r";
        String d = p + insn.dst();
        String s = source(code) == X ? p + insn.src() : hex(insn.imm());
        int op = op(code);
        if (op == END) {
            String kind = !is32 ? "bswap" : source(code) == TO_BE ? "be" : "le";
            return "r" + insn.dst() + " = " + kind + insn.imm() + " r" + insn.dst();
        }
        boolean signed = insn.off() == 1;
        return switch (op) {
            case NEG -> d + " = -" + d;
            case MOV -> insn.off() != 0 ? d + " = (s" + insn.off() + ")" + p + insn.src() : d + " = " + s;
            case ADD -> d + " += " + s;
            case SUB -> d + " -= " + s;
            case MUL -> d + " *= " + s;
            case DIV -> d + (signed ? " s/= " : " /= ") + s;
            case OR -> d + " |= " + s;
            case AND -> d + " &= " + s;
            case LSH -> d + " <<= " + s;
            case RSH -> d + " >>= " + s;
            case MOD -> d + (signed ? " s%= " : " %= ") + s;
            case XOR -> d + " ^= " + s;
            default -> d + " s>>= " + s;
        };
    }

    private static String jmp(Insn insn) {
        int code = insn.opcode();
        boolean is32 = cls(code) == JMP32;
        int op = op(code);
        switch (op) {
            case JA:
                return is32 ? "gotol " + rel(insn.imm()) : "goto " + rel(insn.off());
            case CALL:
                if (source(code) == X) {
                    return "callx r" + insn.dst();
                }
                return insn.src() == PSEUDO_CALL ? "call " + hex(insn.imm())
                        : insn.src() == PSEUDO_KFUNC_CALL ? "call kfunc " + insn.imm() : "call " + hex(insn.imm());
            case EXIT:
                return "exit";
            case JCOND:
                return "may_goto " + rel(insn.off());
            default:
                String p = is32 ? "w" : "r";
                String cmp = switch (op) {
                    case JEQ -> "==";
                    case JGT -> ">";
                    case JGE -> ">=";
                    case JSET -> "&";
                    case JNE -> "!=";
                    case JSGT -> "s>";
                    case JSGE -> "s>=";
                    case JLT -> "<";
                    case JLE -> "<=";
                    case JSLT -> "s<";
                    default -> "s<=";
                };
                String s = source(code) == X ? p + insn.src() : hex(insn.imm());
                return "if " + p + insn.dst() + " " + cmp + " " + s + " goto " + rel(insn.off());
        }
    }

    private static String rel(int off) {
        return off < 0 ? "-0x" + Integer.toHexString(-off) : "+0x" + Integer.toHexString(off);
    }

    private static String atomic(Insn insn) {
        boolean is32 = Opcodes.size(insn.opcode()) == W;
        String p = is32 ? "w" : "r";
        String u = is32 ? "u32" : "u64";
        String at = addr(insn.dst(), insn.off());
        String src = p + insn.src();
        int imm = insn.imm();
        if (imm == XCHG) {
            return src + " = xchg" + (is32 ? "32_32" : "_64") + "(r" + insn.dst() + (insn.off() < 0 ? " - " + hex(-insn.off()) : " + " + hex(insn.off())) + ", " + src + ")";
        }
        if (imm == CMPXCHG) {
            return p + "0 = cmpxchg" + (is32 ? "32_32" : "_64") + "(r" + insn.dst() + (insn.off() < 0 ? " - " + hex(-insn.off()) : " + " + hex(insn.off())) + ", " + p + "0, " + src + ")";
        }
        String name = switch (imm & ~FETCH) {
            case ATOMIC_ADD -> "add";
            case ATOMIC_OR -> "or";
            case ATOMIC_AND -> "and";
            default -> "xor";
        };
        if ((imm & FETCH) != 0) {
            return src + " = atomic_fetch_" + name + "((" + u + " *)" + at + ", " + src + ")";
        }
        String sym = switch (imm) {
            case ATOMIC_ADD -> "+=";
            case ATOMIC_OR -> "|=";
            case ATOMIC_AND -> "&=";
            default -> "^=";
        };
        return "lock *(" + u + " *)" + at + " " + sym + " " + src;
    }
}
