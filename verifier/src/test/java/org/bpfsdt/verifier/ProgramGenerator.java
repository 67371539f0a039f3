package org.bpfsdt.verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bpfsdt.api.ProgramType;

/**
 * Random programs for the soundness test: valid encodings built from snippets that programs
 * really contain (arithmetic, branches, stack, context, map and packet accesses, helper calls,
 * small loops), with parameters that are usually right and sometimes a little wrong, so the
 * verifier sees both safe programs and near misses.
 */
final class ProgramGenerator {
    /** Map 0: an array of {@link #ENTRIES} values of {@link #VALUE_SIZE} bytes (lookups are inlined); map 1: a one-entry array (direct access). */
    static final int ENTRIES = 4, VALUE_SIZE = 32;
    static final int PACKET_LEN = 64;

    private final Random rnd;
    private final ProgramType type;
    private final StringBuilder asm = new StringBuilder();
    private final List<String> pendingLabels = new ArrayList<>();
    private int labels;

    ProgramGenerator(Random rnd, ProgramType type) {
        this.rnd = rnd;
        this.type = type;
    }

    /** A program of about {@code snippets} snippets, as assembly. */
    String generate(int snippets) {
        line("mov %r6, %r1");
        // most programs start from initialised registers and stack, as compiled code does
        if (rnd.nextInt(8) != 0) {
            for (int r : SCALARS) {
                initReg(r);
            }
        }
        if (rnd.nextInt(6) != 0) {
            for (int off = 8; off <= 64; off += 8) {
                line("stdw [%r10-" + off + "], " + rnd.nextInt(5));
            }
        }
        for (int i = 0; i < snippets; i++) {
            snippet();
            if (!pendingLabels.isEmpty() && rnd.nextInt(3) == 0) {
                label(pendingLabels.remove(rnd.nextInt(pendingLabels.size())));
            }
        }
        for (String l : pendingLabels) {
            label(l);
        }
        if (rnd.nextInt(3) == 0) {
            line("mov %r0, " + reg(true));
        } else {
            line("mov %r0, " + rnd.nextInt(4));
        }
        line("exit");
        return asm.toString();
    }

    private static String mem(String base, int off) {
        return "[" + base + (off < 0 ? "" : "+") + off + "]";
    }

    private void line(String s) {
        asm.append(s).append('\n');
    }

    private void label(String l) {
        asm.append(l).append(":\n");
    }

    private String newLabel() {
        return "L" + (labels++);
    }

    private String forwardLabel() {
        String l = newLabel();
        pendingLabels.add(l);
        return l;
    }

    private static final int[] SCALARS = {0, 1, 2, 3, 4, 5, 7};

    /**
     * A register for scalar work: r0..r5 and r7 hold numbers, r6 the context, r8 and r9 pointers
     * the snippets form; now and then any register, which makes for pointer misuse to reject.
     */
    private String reg(boolean source) {
        if (rnd.nextInt(40) == 0) {
            return "%r" + rnd.nextInt(source ? 11 : 10);
        }
        return "%r" + SCALARS[rnd.nextInt(SCALARS.length)];
    }

    private String size() {
        return new String[] {"b", "h", "w", "dw"}[rnd.nextInt(4)];
    }

    private static int bytes(String size) {
        return switch (size) {
            case "b" -> 1;
            case "h" -> 2;
            case "w" -> 4;
            default -> 8;
        };
    }

    /** Usually a valid aligned offset into an object of {@code len} bytes for {@code n}-byte accesses, sometimes not. */
    private int offset(int len, int n) {
        if (rnd.nextInt(25) == 0) {
            return rnd.nextInt(len + 16) - 8;
        }
        return rnd.nextInt(Math.max(1, len / n)) * n;
    }

    private void snippet() {
        switch (rnd.nextInt(type == ProgramType.XDP ? 14 : 12)) {
            case 0, 1 -> alu();
            case 2 -> stackStore();
            case 3 -> stackLoad();
            case 4 -> contextLoad();
            case 5 -> mapLookup();
            case 6 -> directValue();
            case 7 -> branch();
            case 8 -> helper();
            case 9 -> stackPointer();
            case 10 -> loop();
            case 11 -> stackIndex();
            default -> packet();
        }
    }

    private void alu() {
        String[] ops = {"add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "neg", "mod", "xor", "mov", "arsh"};
        String op = ops[rnd.nextInt(ops.length)];
        String w = rnd.nextInt(3) == 0 ? "32" : "";
        if (op.equals("neg")) {
            line("neg" + w + " " + reg(false));
            return;
        }
        String src = rnd.nextBoolean() ? reg(true) : Integer.toString(op.endsWith("sh") ? rnd.nextInt(w.isEmpty() ? 64 : 32) : rnd.nextInt(64) - 8);
        if ((op.equals("div") || op.equals("mod")) && !src.startsWith("%") && src.equals("0")) {
            src = "3";
        }
        line(op + w + " " + reg(false) + ", " + src);
    }

    private void stackStore() {
        String s = size();
        int n = bytes(s);
        int off = -(offset(64, n) + n);
        if (rnd.nextBoolean()) {
            line("st" + s + " " + mem("%r10", off) + ", " + (rnd.nextInt(16) - 4));
        } else {
            line("stx" + s + " " + mem("%r10", off) + ", " + reg(true));
        }
    }

    private void stackLoad() {
        String s = size();
        int n = bytes(s);
        line("ldx" + s + " " + reg(false) + ", " + mem("%r10", -(offset(64, n) + n)));
    }

    private void contextLoad() {
        contextLoadInto(reg(false));
    }

    private void contextLoadInto(String r) {
        if (type == ProgramType.XDP) {
            line("ldxw " + r + ", " + mem("%r6", rnd.nextInt(30) == 0 ? rnd.nextInt(28) : 12 + 4 * rnd.nextInt(2)));
        } else {
            line("ldxdw " + r + ", " + mem("%r6", offset(40, 8)));
        }
    }

    private void mapLookup() {
        String skip = newLabel();
        int keyOff = -4 - 4 * rnd.nextInt(4);
        if (rnd.nextInt(8) != 0) {
            line("stw [%r10" + keyOff + "], " + rnd.nextInt(ENTRIES + 1));
        }
        line("mov %r2, %r10");
        line("add %r2, " + keyOff);
        line("lddw %r1, map[0]");
        line("call 1");
        if (rnd.nextInt(20) != 0) {
            line("jeq %r0, 0, " + skip);
        }
        line("mov %r8, %r0");
        access("%r8", VALUE_SIZE, skip);
        label(skip);
        reinitArgs();
        if (rnd.nextBoolean()) {
            line("mov %r0, " + rnd.nextInt(8));
        }
    }

    private void directValue() {
        String r = "%r8";
        line("lddw " + r + ", map_value[1]+" + (rnd.nextInt(3) == 0 ? offset(VALUE_SIZE, 8) : 0));
        access(r, VALUE_SIZE, null);
    }

    /** A load or store through {@code ptr}, maybe at an index bounded (or not) by a comparison. */
    private void access(String ptr, int len, String skip) {
        String s = size();
        int n = bytes(s);
        if (rnd.nextInt(3) == 0) {
            String idx = "%r7";
            line("ldxb " + idx + ", [" + ptr + "+0]");
            if (skip != null && rnd.nextBoolean()) {
                line("jgt " + idx + ", " + (len - n - rnd.nextInt(3) + 1) + ", " + skip);
            } else {
                line("and " + idx + ", " + (rnd.nextInt(len) & ~(n - 1)));
            }
            line("add " + ptr + ", " + idx);
            if (rnd.nextBoolean()) {
                line("ldx" + s + " " + reg(false) + ", [" + ptr + "+0]");
            } else {
                line("st" + s + " [" + ptr + "+0], 1");
            }
            return;
        }
        int off = offset(len, n);
        switch (rnd.nextInt(3)) {
            case 0 -> line("ldx" + s + " " + reg(false) + ", " + mem(ptr, off));
            case 1 -> line("stx" + s + " " + mem(ptr, off) + ", " + reg(true));
            default -> {
                if (n >= 4) {
                    line("mov %r5, 1");
                    line("lock " + (rnd.nextBoolean() ? "fetch " : "") + "add" + (n == 4 ? "32" : "") + " [" + ptr + "+" + (Math.max(0, off) & ~(n - 1)) + "], %r5");
                } else {
                    line("st" + s + " " + mem(ptr, off) + ", 3");
                }
            }
        }
    }

    private void branch() {
        String[] ops = {"jeq", "jne", "jgt", "jge", "jlt", "jle", "jsgt", "jsge", "jslt", "jsle", "jset"};
        String w = rnd.nextInt(4) == 0 ? "32" : "";
        String src = rnd.nextBoolean() ? reg(true) : Integer.toString(rnd.nextInt(40) - 8);
        line(ops[rnd.nextInt(ops.length)] + w + " " + reg(true) + ", " + src + ", " + forwardLabel());
    }

    private void helper() {
        line("call " + new int[] {5, 7, 8}[rnd.nextInt(3)]);
        reinitArgs();
    }

    /** A register set to a constant or to something loaded from the context. */
    private void initReg(int r) {
        if (rnd.nextInt(3) == 0) {
            contextLoadInto("%r" + r);
        } else {
            line("mov %r" + r + ", " + (rnd.nextInt(20) - 2));
        }
    }

    /** After a call r1..r5 are gone; compiled code sets them again before use. */
    private void reinitArgs() {
        if (rnd.nextInt(6) != 0) {
            for (int r = 1; r <= 5; r++) {
                line("mov %r" + r + ", " + rnd.nextInt(16));
            }
        }
    }

    private void stackPointer() {
        String r = "%r8";
        line("mov " + r + ", %r10");
        line("add " + r + ", " + (-8 * (1 + rnd.nextInt(8))));
        if (rnd.nextBoolean()) {
            String i = "%r7";
            line("mov " + i + ", " + reg(true));
            line("and " + i + ", " + (8 * rnd.nextInt(3)));
            line("add " + r + ", " + i);
        }
        String s = size();
        if (rnd.nextBoolean()) {
            line("st" + s + " [" + r + "+0], 7");
        } else {
            line("ldx" + s + " " + reg(false) + ", [" + r + "+0]");
        }
    }

    /** A stack word, maybe updated atomically, used as an index into the stack. */
    private void stackIndex() {
        int slot = -8 * (1 + rnd.nextInt(8));
        if (rnd.nextBoolean()) {
            line("mov %r5, " + rnd.nextInt(100));
            line("lock " + (rnd.nextBoolean() ? "fetch " : "") + "add " + mem("%r10", slot) + ", %r5");
        }
        line("ldxdw %r7, " + mem("%r10", slot));
        if (rnd.nextInt(3) != 0) {
            line("and %r7, " + (8 * rnd.nextInt(8)));
        }
        line("mov %r8, %r10");
        line("add %r8, -64");
        line("add %r8, %r7");
        line("ldxb " + reg(false) + ", [%r8+0]");
    }

    private void loop() {
        String head = newLabel();
        String c = "%r9";
        line("mov " + c + ", 0");
        label(head);
        int body = 1 + rnd.nextInt(2);
        for (int i = 0; i < body; i++) {
            if (rnd.nextBoolean()) {
                alu();
            } else {
                stackStore();
            }
        }
        line("add " + c + ", 1");
        line("jlt " + c + ", " + (1 + rnd.nextInt(6)) + ", " + head);
    }

    private void packet() {
        String skip = newLabel();
        line("ldxw %r2, [%r6+0]");
        line("ldxw %r3, [%r6+4]");
        int need = 1 + rnd.nextInt(PACKET_LEN + 8);
        line("mov %r4, %r2");
        line("add %r4, " + need);
        line("jgt %r4, %r3, " + skip);
        String s = size();
        int n = bytes(s);
        int off = rnd.nextInt(8) == 0 ? need - n + 1 : Math.max(0, need - n - rnd.nextInt(Math.max(1, need)));
        if (rnd.nextBoolean()) {
            line("ldx" + s + " " + reg(false) + ", " + mem("%r2", off));
        } else {
            line("st" + s + " " + mem("%r2", off) + ", 9");
        }
        label(skip);
    }
}
