package org.bpfsdt.api.isa;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bpfsdt.api.BpfException;

/**
 * Assembles the syntax of the conformance suite's {@code -- asm} sections (the syntax
 * {@link Disassembler} prints): {@code add32 %r0, 1}, {@code ldxw %r1, [%r2+4]},
 * {@code lock fetch add [%r10-8], %r1}, {@code jne %r0, 0, label}, {@code call local f},
 * {@code lddw %r1, 0x1122334455667788}, raw slots {@code .quad 0x...}, labels ending in {@code :},
 * comments after {@code #}.
 * The first {@code exit} is also the label {@code exit}. Errors name the line and the problem.
 */
public final class Assembler {
    private static final Map<String, Integer> ALU_OPS = Map.ofEntries(
            Map.entry("add", ADD), Map.entry("sub", SUB), Map.entry("mul", MUL), Map.entry("div", DIV),
            Map.entry("sdiv", DIV), Map.entry("or", OR), Map.entry("and", AND), Map.entry("lsh", LSH),
            Map.entry("rsh", RSH), Map.entry("neg", NEG), Map.entry("mod", MOD), Map.entry("smod", MOD),
            Map.entry("xor", XOR), Map.entry("mov", MOV), Map.entry("arsh", ARSH));
    private static final Map<String, Integer> JMP_OPS = Map.ofEntries(
            Map.entry("jeq", JEQ), Map.entry("jgt", JGT), Map.entry("jge", JGE), Map.entry("jset", JSET),
            Map.entry("jne", JNE), Map.entry("jsgt", JSGT), Map.entry("jsge", JSGE), Map.entry("jlt", JLT),
            Map.entry("jle", JLE), Map.entry("jslt", JSLT), Map.entry("jsle", JSLE));
    private static final Map<String, Integer> SIZES = Map.of("b", B, "h", H, "w", W, "dw", DW);
    private static final Map<String, Integer> ATOMIC_OPS = Map.of(
            "add", ATOMIC_ADD, "or", ATOMIC_OR, "and", ATOMIC_AND, "xor", ATOMIC_XOR, "xchg", XCHG, "cmpxchg", CMPXCHG);

    private final List<Insn> out = new ArrayList<>();
    private final List<Fixup> fixups = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();
    private int lineNo;

    private record Fixup(int slot, String label, int line, boolean inImm) {
    }

    private Assembler() {
    }

    /** Assembles {@code source}; throws {@link BpfException} ({@code EINVAL}) naming the line and the problem. */
    public static List<Insn> assemble(String source) {
        Assembler a = new Assembler();
        String[] lines = source.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            a.lineNo = i + 1;
            a.line(lines[i]);
        }
        a.resolve();
        if (a.out.isEmpty()) {
            throw BpfException.einval("the assembly has no instructions");
        }
        return List.copyOf(a.out);
    }

    private void line(String raw) {
        int hash = raw.indexOf('#');
        String text = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
        while (!text.isEmpty()) {
            int colon = text.indexOf(':');
            int space = indexOfSpace(text);
            if (colon > 0 && (space < 0 || colon < space) && !text.startsWith("[")) {
                String label = text.substring(0, colon).trim();
                if (!label.matches("[A-Za-z_.$][A-Za-z0-9_.$]*")) {
                    throw error("bad label '" + label + "'");
                }
                if (labels.containsKey(label) && !label.equals("exit")) {
                    throw error("duplicate label '" + label + "'");
                }
                labels.put(label, out.size());
                text = text.substring(colon + 1).trim();
                continue;
            }
            instruction(text);
            return;
        }
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private void instruction(String text) {
        int sp = indexOfSpace(text);
        String mnemonic = (sp < 0 ? text : text.substring(0, sp)).toLowerCase(Locale.ROOT);
        String rest = sp < 0 ? "" : text.substring(sp + 1).trim();
        switch (mnemonic) {
            case "exit" -> {
                operands(rest, 0);
                labels.putIfAbsent("exit", out.size());
                emit(Insn.exit());
            }
            case "lock" -> atomic(rest);
            case "call" -> call(rest);
            case "callx" -> emit(new Insn(CALLX_OP, reg(operands(rest, 1)[0]), 0, 0, 0));
            case "lddw" -> lddw(operands(rest, 2));
            case "ja" -> {
                emit(new Insn(JA_OP, 0, 0, 0, 0));
                target(operands(rest, 1)[0], false);
            }
            case "ja32", "gotol" -> {
                emit(new Insn(GOTOL_OP, 0, 0, 0, 0));
                target(operands(rest, 1)[0], true);
            }
            case ".quad" -> {
                // a raw slot, as Disassembler prints slots it cannot decode
                emit(Insn.decode(parseLong(operands(rest, 1)[0], true)));
            }
            case "may_goto" -> {
                emit(new Insn(MAY_GOTO_OP, 0, 0, 0, 0));
                target(operands(rest, 1)[0], false);
            }
            default -> other(mnemonic, rest);
        }
    }

    private void other(String m, String rest) {
        if (m.startsWith("ldx")) {
            boolean sx = m.startsWith("ldxs") && SIZES.containsKey(m.substring(4)) && !m.equals("ldxsdw");
            Integer size = SIZES.get(m.substring(sx ? 4 : 3));
            if (size == null) {
                throw error("unknown mnemonic '" + m + "'");
            }
            String[] ops = operands(rest, 2);
            Mem mem = mem(ops[1]);
            emit(new Insn(LDX | (sx ? MEMSX : MEM) | size, reg(ops[0]), mem.reg, mem.off, 0));
            return;
        }
        if (m.startsWith("stx") && SIZES.containsKey(m.substring(3))) {
            String[] ops = operands(rest, 2);
            Mem mem = mem(ops[0]);
            emit(new Insn(STX | MEM | SIZES.get(m.substring(3)), mem.reg, reg(ops[1]), mem.off, 0));
            return;
        }
        if (m.startsWith("st") && SIZES.containsKey(m.substring(2))) {
            String[] ops = operands(rest, 2);
            Mem mem = mem(ops[0]);
            emit(new Insn(ST | MEM | SIZES.get(m.substring(2)), mem.reg, 0, mem.off, imm32(ops[1])));
            return;
        }
        if (m.startsWith("ldabs") || m.startsWith("ldind")) {
            Integer size = SIZES.get(m.substring(5));
            if (size == null || size == DW) {
                throw error("unknown mnemonic '" + m + "'");
            }
            if (m.startsWith("ldabs")) {
                emit(new Insn(LD | ABS | size, 0, 0, 0, imm32(operands(rest, 1)[0])));
            } else {
                String[] ops = operands(rest, 2);
                emit(new Insn(LD | IND | size, 0, reg(ops[0]), 0, imm32(ops[1])));
            }
            return;
        }
        if (m.matches("(be|le|bswap|swap)(16|32|64)")) {
            int width = Integer.parseInt(m.substring(m.length() - 2));
            int code = m.startsWith("be") ? ALU | END | TO_BE : m.startsWith("le") ? ALU | END | TO_LE : ALU64 | END;
            emit(new Insn(code, reg(operands(rest, 1)[0]), 0, 0, width));
            return;
        }
        if (m.matches("movsx(8|16|32)(32|64)")) {
            String widths = m.substring(5);
            int to = Integer.parseInt(widths.substring(widths.length() - 2));
            int from = Integer.parseInt(widths.substring(0, widths.length() - 2));
            if (from >= to) {
                throw error("sign extension from " + from + " to " + to + " bits is not an instruction");
            }
            String[] ops = operands(rest, 2);
            emit(new Insn((to == 64 ? ALU64 : ALU) | MOV | X, reg(ops[0]), reg(ops[1]), from, 0));
            return;
        }
        boolean w32 = m.endsWith("32");
        String base = w32 ? m.substring(0, m.length() - 2) : m;
        Integer alu = ALU_OPS.get(base);
        if (alu != null) {
            int cls = w32 ? ALU : ALU64;
            int off = base.equals("sdiv") || base.equals("smod") ? 1 : 0;
            if (alu == NEG) {
                emit(new Insn(cls | NEG, reg(operands(rest, 1)[0]), 0, 0, 0));
                return;
            }
            String[] ops = operands(rest, 2);
            if (isReg(ops[1])) {
                emit(new Insn(cls | alu | X, reg(ops[0]), reg(ops[1]), off, 0));
            } else {
                emit(new Insn(cls | alu | K, reg(ops[0]), 0, off, imm32(ops[1])));
            }
            return;
        }
        Integer jmp = JMP_OPS.get(base);
        if (jmp != null) {
            int cls = w32 ? JMP32 : JMP;
            String[] ops = operands(rest, 3);
            if (isReg(ops[1])) {
                emit(new Insn(cls | jmp | X, reg(ops[0]), reg(ops[1]), 0, 0));
            } else {
                emit(new Insn(cls | jmp | K, reg(ops[0]), 0, 0, imm32(ops[1])));
            }
            target(ops[2], false);
            return;
        }
        throw error("unknown mnemonic '" + m + "'");
    }

    private static final java.util.regex.Pattern MAP_OPERAND =
            java.util.regex.Pattern.compile("(map|map_value|map_fd|map_fd_value)\\[(\\d+)\\](?:\\s*\\+\\s*(\\S+))?");

    /**
     * {@code lddw %r1, 0x1234}; the kernel's pseudo forms: {@code map[N]} (the program's map N),
     * {@code map_value[N]+OFF} (address of byte OFF of its value), {@code map_fd[ID]} and
     * {@code map_fd_value[ID]+OFF} (a map by id), {@code func LABEL} (a callback's address).
     */
    private void lddw(String[] ops) {
        int dst = reg(ops[0]);
        String v = ops[1].trim();
        if (v.startsWith("func ")) {
            Insn[] pair = Insn.lddw(dst, PSEUDO_FUNC, 0);
            emit(pair[0]);
            target(v.substring(5).trim(), true);
            emit(pair[1]);
            return;
        }
        java.util.regex.Matcher m = MAP_OPERAND.matcher(v);
        if (m.matches()) {
            String kind = m.group(1);
            long handle = parseLong(m.group(2), false);
            boolean value = kind.endsWith("_value");
            if (!value && m.group(3) != null) {
                throw error("a map pointer takes no offset; use map_value[N]+OFF for an address in its value");
            }
            long off = value && m.group(3) != null ? parseLong(m.group(3), false) : 0;
            int src = kind.startsWith("map_fd") ? (value ? PSEUDO_MAP_VALUE : PSEUDO_MAP_FD) : (value ? PSEUDO_MAP_IDX_VALUE : PSEUDO_MAP_IDX);
            emit(new Insn(LDDW, dst, src, 0, (int) handle));
            emit(new Insn(0, 0, 0, 0, (int) off));
            return;
        }
        for (Insn i : Insn.lddw(dst, 0, parseLong(v, true))) {
            emit(i);
        }
    }

    private void call(String rest) {
        String[] words = rest.split("\\s+");
        if (rest.isEmpty() || words.length > 2) {
            throw error("call takes 'call N', 'call helper N', 'call local LABEL', 'call runtime N' or 'call %rN'");
        }
        if (words.length == 1) {
            if (isReg(words[0])) {
                emit(new Insn(CALLX_OP, reg(words[0]), 0, 0, 0));
            } else {
                emit(Insn.call(imm32(words[0])));
            }
            return;
        }
        switch (words[0]) {
            case "helper" -> emit(Insn.call(imm32(words[1])));
            case "runtime", "kfunc" -> emit(new Insn(CALL_OP, 0, PSEUDO_KFUNC_CALL, 0, imm32(words[1])));
            case "local" -> {
                emit(new Insn(CALL_OP, 0, PSEUDO_CALL, 0, 0));
                target(words[1], true);
            }
            default -> throw error("unknown call kind '" + words[0] + "' (helper, local or runtime)");
        }
    }

    private void atomic(String rest) {
        String r = rest;
        boolean fetch = false;
        if (r.startsWith("fetch ")) {
            fetch = true;
            r = r.substring(6).trim();
        }
        int sp = indexOfSpace(r);
        if (sp < 0) {
            throw error("lock needs an operation and two operands: lock [fetch] add [%r1+0], %r2");
        }
        String op = r.substring(0, sp);
        boolean w32 = op.endsWith("32");
        Integer code = ATOMIC_OPS.get(w32 ? op.substring(0, op.length() - 2) : op);
        if (code == null) {
            throw error("unknown atomic operation '" + op + "'");
        }
        if (fetch && (code & FETCH) == 0) {
            code |= FETCH;
        }
        String[] ops = operands(r.substring(sp + 1).trim(), 2);
        Mem mem = mem(ops[0]);
        emit(new Insn(STX | ATOMIC | (w32 ? W : DW), mem.reg, reg(ops[1]), mem.off, code));
    }

    private void target(String t, boolean inImm) {
        int slot = out.size() - 1;
        if (t.startsWith("+") || t.startsWith("-")) {
            long rel = parseLong(t, false);
            if (inImm) {
                out.set(slot, out.get(slot).withImm((int) rel));
            } else {
                if (rel < Short.MIN_VALUE || rel > Short.MAX_VALUE) {
                    throw error("jump offset " + rel + " does not fit in 16 bits; use gotol");
                }
                out.set(slot, out.get(slot).withOff((int) rel));
            }
        } else {
            fixups.add(new Fixup(slot, t, lineNo, inImm));
        }
    }

    private void resolve() {
        for (Fixup f : fixups) {
            Integer at = labels.get(f.label);
            if (at == null) {
                throw BpfException.einval("line " + f.line + ": unknown label '" + f.label + "'");
            }
            int rel = at - f.slot - 1;
            Insn insn = out.get(f.slot);
            if (f.inImm) {
                out.set(f.slot, insn.withImm(rel));
            } else {
                if (rel < Short.MIN_VALUE || rel > Short.MAX_VALUE) {
                    throw BpfException.einval("line " + f.line + ": label '" + f.label + "' is too far for a 16-bit jump; use gotol");
                }
                out.set(f.slot, insn.withOff(rel));
            }
        }
    }

    private void emit(Insn insn) {
        out.add(insn);
    }

    private record Mem(int reg, int off) {
    }

    private Mem mem(String s) {
        if (!s.startsWith("[") || !s.endsWith("]")) {
            throw error("expected a memory operand like [%r1+8], found '" + s + "'");
        }
        String in = s.substring(1, s.length() - 1).trim();
        int sign = Math.max(in.indexOf('+'), in.indexOf('-'));
        if (sign < 0) {
            return new Mem(reg(in), 0);
        }
        long off = parseLong(in.substring(sign).replace(" ", ""), false);
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw error("memory offset " + off + " does not fit in 16 bits");
        }
        return new Mem(reg(in.substring(0, sign).trim()), (int) off);
    }

    private String[] operands(String rest, int count) {
        String[] ops = rest.isEmpty() ? new String[0] : rest.split("\\s*,\\s*");
        if (ops.length != count) {
            throw error("expected " + count + " operand" + (count == 1 ? "" : "s") + ", found " + ops.length + (rest.isEmpty() ? "" : " in '" + rest + "'"));
        }
        return ops;
    }

    private static boolean isReg(String s) {
        return s.startsWith("%") || s.matches("r\\d+");
    }

    private int reg(String s) {
        String t = s.startsWith("%") ? s.substring(1) : s;
        if (t.matches("r\\d{1,2}")) {
            int r = Integer.parseInt(t.substring(1));
            if (r <= MAX_REG) {
                return r;
            }
        }
        throw error("bad register '" + s + "' (r0..r10)");
    }

    private int imm32(String s) {
        long v = parseLong(s, false);
        if (v < Integer.MIN_VALUE || v > 0xffffffffL) {
            throw error("immediate " + s + " does not fit in 32 bits");
        }
        return (int) v;
    }

    private long parseLong(String s, boolean allow64Unsigned) {
        String t = s.trim();
        boolean neg = t.startsWith("-");
        if (neg || t.startsWith("+")) {
            t = t.substring(1);
        }
        try {
            long v;
            if (t.startsWith("0x") || t.startsWith("0X")) {
                v = Long.parseUnsignedLong(t.substring(2), 16);
            } else {
                v = allow64Unsigned ? Long.parseUnsignedLong(t) : Long.parseLong(t);
            }
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            throw error("bad number '" + s + "'");
        }
    }

    private BpfException error(String problem) {
        return BpfException.einval("line " + lineNo + ": " + problem);
    }
}
