package org.bpfsdt.verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bpfsdt.api.ProgramType;

/**
 * Random programs for the soundness test: valid encodings built from snippets that programs
 * really contain (arithmetic, branches, stack, context, map and packet accesses, helper calls,
 * small loops, loads of read-only constants, calls of a global or static function), with
 * parameters that are usually right and sometimes a little wrong, so the verifier sees both
 * safe programs and near misses.
 */
final class ProgramGenerator {
    /**
     * Map 0: an array of {@link #ENTRIES} values of {@link #VALUE_SIZE} bytes (lookups are
     * inlined); map 1: a one-entry array (direct access); map 2: a frozen read-only one-entry
     * array of {@link #RODATA_SIZE} bytes ({@link #rodata()}), whose loads are constants.
     */
    static final int ENTRIES = 4, VALUE_SIZE = 32, RODATA_SIZE = 16;
    static final int PACKET_LEN = 64;
    /** The function a program may call (its declaration in {@link #funcs()}). */
    private static final String FUNC = "gf";

    private final Random rnd;
    private final ProgramType type;
    private final StringBuilder asm = new StringBuilder();
    private final List<String> pendingLabels = new ArrayList<>();
    private final byte[] rodata = new byte[RODATA_SIZE];
    private int labels;
    /** The called function's parameters (each {@code int}, {@code ctx} or {@code mem N}), or null while there is none. */
    private List<String> params;
    private boolean funcGlobal;
    /** While generating the function's body: where its parameters are kept. */
    private boolean inFunc;
    private boolean readsConstants;

    ProgramGenerator(Random rnd, ProgramType type) {
        this.rnd = rnd;
        this.type = type;
        // small numbers make indexes and loop bounds, some larger or negative ones near misses
        for (int i = 0; i < RODATA_SIZE; i++) {
            rodata[i] = (byte) (rnd.nextInt(6) == 0 ? rnd.nextInt(256) : rnd.nextInt(64));
        }
    }

    /** Whether the program loads from the read-only map. */
    boolean readsConstants() {
        return readsConstants;
    }

    /** Whether the program calls a global function (one verified on its own). */
    boolean callsGlobal() {
        return params != null && funcGlobal;
    }

    /** Whether the program calls a static function described by BTF. */
    boolean callsStatic() {
        return params != null && !funcGlobal;
    }

    /** The read-only map's value this program is verified and run with. */
    byte[] rodata() {
        return rodata.clone();
    }

    /** The BTF declarations of the program's functions (main, then the called one), or null when it calls none. */
    List<FuncBtf.Func> funcs() {
        if (params == null) {
            return null;
        }
        String ctx = type == ProgramType.XDP ? "ctx" : "void* arg:ctx";
        List<String> declared = params.stream().map(p -> p.equals("ctx") ? ctx : p).toList();
        return List.of(new FuncBtf.Func("main", true, List.of(ctx), "int"), new FuncBtf.Func(FUNC, funcGlobal, declared, "int"));
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
        if (params != null) {
            functionBody(2 + rnd.nextInt(4));
        }
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
        switch (rnd.nextInt(type == ProgramType.XDP ? 16 : 14)) {
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
            case 12 -> readOnlyConstant();
            case 13 -> call();
            default -> packet();
        }
    }

    // ---- read-only constants -------------------------------------------------------------

    /**
     * A load from the read-only map, whose value the verifier knows, used as a stack index, a
     * loop bound or a branch condition guarding an access out of bounds: a wrong constant (offset,
     * width, sign extension) would let an unsafe path through, and the checked run traps it.
     */
    private void readOnlyConstant() {
        String[] sizes = {"b", "b", "b", "b", "b", "h", "h", "w", "w", "dw"};
        String size = sizes[rnd.nextInt(sizes.length)];
        int n = bytes(size);
        boolean sx = n < 8 && rnd.nextInt(4) == 0;
        int base = rnd.nextInt(3) == 0 ? 8 : 0;
        int off = rnd.nextInt(9 - n) + (rnd.nextInt(30) == 0 ? 8 : 0);
        readsConstants = true;
        line("lddw %r8, map_value[2]+" + base);
        line("ldx" + (sx ? "s" : "") + size + " %r7, [%r8+" + off + "]");
        long v = value(base + off, n, sx);
        switch (rnd.nextInt(3)) {
            case 0 -> {
                if (v >= 0 && v < 256 && rnd.nextBoolean()) {
                    // fp + v, then the offset that lands on fp-1 for the true v only; the runs catch a constant off by any amount:
                    // on fp (one past the frame) or on fp-65 (never written), where the verifier, wrong, believed the frame
                    int pick = rnd.nextInt(4);
                    long at = pick < 2 ? -1 - v : pick == 2 ? -v : -65 - v;
                    line("mov %r8, %r10");
                    line("add %r8, %r7");
                    line("ldxb " + reg(false) + ", " + mem("%r8", (int) at));
                    break;
                }
                // an index into the 64 initialised bytes below fp-64 .. fp-1 (an index out of them now and then)
                if ((v < 0 || v >= 64) && rnd.nextInt(4) != 0) {
                    line("and %r7, 63");
                }
                line("mov %r8, %r10");
                line("add %r8, -64");
                line("add %r8, %r7");
                line("ldxb " + reg(false) + ", [%r8+0]");
            }
            case 1 -> {
                if (v < 0 || v > 64) {
                    // not a loop bound: the verifier would walk it to the budget
                    line("and %r7, 63");
                }
                String head = newLabel(), done = newLabel();
                line("mov %r9, 0");
                line("jge %r9, %r7, " + done);
                label(head);
                line("mov %r8, %r10");
                line("add %r8, -64");
                line("add %r8, %r9");
                line("ldxb %r0, [%r8+0]");
                line("add %r9, 1");
                line("jlt %r9, %r7, " + head);
                label(done);
            }
            default -> {
                // the exact constant (width, sign) decides: "jeq v" skips the access on every run, so it must be accepted;
                // "jne v" never skips it, so it must be refused (a wrong constant would accept it, and the run trap)
                String[] ops = {"jeq", "jne", "jgt", "jsgt", "jlt", "jslt"};
                int pick = rnd.nextInt(4);
                String op = pick < 2 ? "jeq" : pick == 2 ? "jne" : ops[rnd.nextInt(ops.length)];
                long k = pick < 3 || rnd.nextBoolean() ? v : v + rnd.nextInt(3) - 1;
                String skip = newLabel();
                line("lddw %r5, " + k);
                line(op + (rnd.nextInt(4) == 0 ? "32" : "") + " %r7, %r5, " + skip);
                // reached only on the side the constant rules out: one byte past the 32-byte value
                line("lddw %r8, map_value[1]+0");
                line("ldxb %r0, [%r8+" + VALUE_SIZE + "]");
                label(skip);
            }
        }
    }

    /** The {@code n}-byte value at {@code off} of the read-only map as a load gives it (0 past the value: that load is refused anyway). */
    private long value(int off, int n, boolean sx) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (off + i < RODATA_SIZE ? rodata[off + i] & 0xff : 0);
        }
        int shift = 64 - 8 * n;
        return sx ? (v << shift) >> shift : v;
    }

    // ---- a global (or static) function -----------------------------------------------------

    /**
     * A call of the program's function, declared on first use with random parameters (scalars,
     * the context, memory of 8 to 24 bytes that may be NULL). Memory arguments are the stack
     * (sometimes too small, or holding a small index the caller reads back after the call: the
     * callee may overwrite it), NULL, a map value or the read-only map's value.
     */
    private void call() {
        if (inFunc) {
            return;
        }
        if (params == null) {
            params = new ArrayList<>();
            int count = 1 + rnd.nextInt(3);
            for (int i = 0; i < count; i++) {
                params.add(switch (rnd.nextInt(4)) {
                    case 0 -> "ctx";
                    case 1 -> "int";
                    default -> "mem " + (8 * (1 + rnd.nextInt(3)));
                });
            }
            funcGlobal = rnd.nextInt(4) != 0;
        }
        int readBack = 0;
        for (int i = 0; i < params.size(); i++) {
            String r = "%r" + (i + 1);
            String p = params.get(i);
            if (p.equals("int")) {
                line("mov " + r + ", " + (rnd.nextInt(30) == 0 ? "%r10" : rnd.nextBoolean() ? reg(true) : Integer.toString(rnd.nextInt(40))));
            } else if (p.equals("ctx")) {
                line("mov " + r + ", %r6");
                if (rnd.nextInt(30) == 0) {
                    line("add " + r + ", 4");
                }
            } else {
                int size = Integer.parseInt(p.substring(4));
                switch (rnd.nextInt(16)) {
                    case 0, 1 -> line("mov " + r + ", 0");
                    case 2, 3 -> line("lddw " + r + ", map_value[1]+" + (rnd.nextInt(4) * 8));
                    case 4 -> line("lddw " + r + ", map_value[2]+0");
                    default -> {
                        int off = Math.min(64, size + 8 * (rnd.nextInt(6) == 0 ? -1 : rnd.nextInt(3)));
                        if (readBack == 0 && rnd.nextBoolean()) {
                            readBack = off;
                            line("stdw [%r10-" + off + "], " + rnd.nextInt(8));
                        }
                        line("mov " + r + ", %r10");
                        line("add " + r + ", -" + off);
                    }
                }
            }
        }
        line("call local " + FUNC);
        if (readBack != 0) {
            // a constant stored before the call is whatever the callee left there: unmasked, only a static callee that left it keeps it an index
            line("ldxdw %r7, [%r10-" + readBack + "]");
            if (rnd.nextInt(5) != 0) {
                line("and %r7, 63");
            }
            line("mov %r8, %r10");
            line("add %r8, -64");
            line("add %r8, %r7");
            line("ldxb %r0, [%r8+0]");
        }
        reinitArgs();
    }

    /** The called function: its parameters kept in r6 (context), r7 (scalar) and r8 (memory), then snippets on them. */
    private void functionBody(int snippets) {
        inFunc = true;
        pendingLabels.clear();
        label(FUNC);
        int memSize = 0;
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            String r = "%r" + (i + 1);
            if (p.equals("ctx")) {
                line("mov %r6, " + r);
            } else if (p.equals("int")) {
                line("mov %r7, " + r);
            } else {
                line("mov %r8, " + r);
                memSize = Integer.parseInt(p.substring(4));
            }
        }
        boolean hasCtx = params.contains("ctx"), hasInt = params.contains("int");
        // the other registers start as numbers, as compiled code sets them before use
        for (int r : SCALARS) {
            if (r != 7 || !hasInt) {
                line("mov %r" + r + ", " + rnd.nextInt(20));
            }
        }
        for (int off = 8; off <= 64; off += 8) {
            line("stdw [%r10-" + off + "], " + rnd.nextInt(5));
        }
        for (int i = 0; i < snippets; i++) {
            int pick = rnd.nextInt(6);
            if (pick == 0 && memSize > 0) {
                memoryArgument(memSize);
            } else if (pick == 1 && hasInt) {
                line("and %r7, " + (rnd.nextInt(4) == 0 ? 127 : 63));
                line("mov %r9, %r10");
                line("add %r9, -64");
                line("add %r9, %r7");
                line("ldxb %r0, [%r9+0]");
            } else if (pick == 2 && hasCtx) {
                if (type == ProgramType.XDP && rnd.nextBoolean()) {
                    packet();
                } else {
                    contextLoad();
                }
            } else if (pick == 3) {
                readOnlyConstant();
            } else {
                alu();
            }
            if (!pendingLabels.isEmpty() && rnd.nextInt(3) == 0) {
                label(pendingLabels.remove(rnd.nextInt(pendingLabels.size())));
            }
        }
        for (String l : pendingLabels) {
            label(l);
        }
        pendingLabels.clear();
        line(rnd.nextInt(40) == 0 ? "mov %r0, %r10" : "mov %r0, " + rnd.nextInt(4));
        line("exit");
        inFunc = false;
    }

    /** Through the memory argument in r8: a NULL check (now and then forgotten), then a read, a write of a scalar or an atomic add. */
    private void memoryArgument(int size) {
        String skip = newLabel();
        if (rnd.nextInt(12) != 0) {
            line("jeq %r8, 0, " + skip);
        }
        String s = size();
        int n = bytes(s);
        int off = rnd.nextInt(20) == 0 ? size - n + 1 : rnd.nextInt(size / n) * n;
        switch (rnd.nextInt(3)) {
            case 0 -> line("ldx" + s + " " + reg(false) + ", [%r8+" + off + "]");
            case 1 -> line("stx" + s + " [%r8+" + off + "], " + (rnd.nextBoolean() ? reg(true) : "%r7"));
            default -> {
                line("mov %r5, " + rnd.nextInt(1000));
                line("lock add [%r8+" + Math.min(off & ~7, size - 8) + "], %r5");
            }
        }
        label(skip);
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
