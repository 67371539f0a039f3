package org.bpfsdt.jit.x86_64.fuzz;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.bpfsdt.api.isa.Insn;

/**
 * Random programs that are valid by construction, for differential testing: every register is
 * written before it is read, memory is touched only inside the run's memory (base in r9) and the
 * initialised part of the stack, jumps go forward or round a counted loop, calls go to
 * subprograms that return. They exercise arithmetic of every width and operation (division by
 * zero and the signed overflow cases included), the idioms the JIT fuses (scaled adds, copies
 * then adds, rotations in halves), sign extension, byte swaps, every load and store
 * size, every atomic, conditional jumps of both widths, local calls with their own stacks, and
 * helper calls. The result folds every register and stack word into r0.
 */
public final class ProgramGenerator {
    /** Bytes of memory each program gets (r1, kept in r9). */
    public static final int MEM_SIZE = 256;
    /** Bytes of stack each function initialises and uses. */
    static final int STACK_USED = 64;
    /** The helper the programs call: see {@link #mix}. */
    public static final int HELPER = 200;

    private static final int[] ALU_OPS = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, MOV, ARSH, END};
    private static final int[] JMP_OPS = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE};
    private static final int[] ATOMIC_OPS = {ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR, ATOMIC_ADD | FETCH,
        ATOMIC_OR | FETCH, ATOMIC_AND | FETCH, ATOMIC_XOR | FETCH, XCHG, CMPXCHG};
    private static final int[] SIZES = {B, H, W, DW};
    private static final int[] INTERESTING = {0, 1, -1, 2, 7, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
        Integer.MAX_VALUE, Integer.MIN_VALUE};

    /** A helper both engines run: a deterministic mix of its arguments. */
    public static long mix(long r1, long r2, long r3, long r4, long r5) {
        return Long.rotateLeft(r1, 7) ^ r2 * 0x9e3779b97f4a7c15L ^ Long.rotateRight(r3, 13) ^ r4 * 31 ^ r5;
    }

    /**
     * One generated program.
     *
     * @param seed  what regenerates it
     * @param insns the program
     * @param mem   the memory it runs on
     */
    public record Program(long seed, List<Insn> insns, byte[] mem) {
    }

    /** A statement: a few instructions, possibly a jump that skips following statements. */
    private record Block(List<Insn> insns, int skip, boolean loopBack) {
        static Block of(List<Insn> insns) {
            return new Block(insns, 0, false);
        }
    }

    private final SplittableRandom rnd;
    private final long seed;

    private ProgramGenerator(long seed) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
    }

    /** The program for {@code seed}: the same seed always gives the same program. */
    public static Program generate(long seed) {
        return new ProgramGenerator(seed).program();
    }

    private Program program() {
        int subprogs = rnd.nextInt(3);
        List<List<Insn>> functions = new ArrayList<>();
        functions.add(function(true, subprogs));
        for (int i = 0; i < subprogs; i++) {
            functions.add(function(false, 0));
        }
        // resolve calls: a placeholder call's imm holds the callee index
        List<Insn> out = new ArrayList<>();
        int[] starts = new int[functions.size()];
        for (int f = 0; f < functions.size(); f++) {
            starts[f] = out.size();
            out.addAll(functions.get(f));
        }
        for (int pc = 0; pc < out.size(); pc++) {
            Insn insn = out.get(pc);
            if (insn.isLocalCall()) {
                out.set(pc, insn.withImm(starts[insn.imm()] - pc - 1));
            }
        }
        byte[] mem = new byte[MEM_SIZE];
        for (int i = 0; i < mem.length; i++) {
            mem[i] = (byte) rnd.nextInt(256);
        }
        return new Program(seed, List.copyOf(out), mem);
    }

    private List<Insn> function(boolean main, int callees) {
        List<Insn> out = new ArrayList<>();
        // the main program gets memory in r1; a subprogram gets it from its caller in r1
        out.add(Insn.mov64Reg(9, 1));
        for (int r = 0; r <= 8; r++) {
            initRegister(out, r);
        }
        for (int off = 8; off <= STACK_USED; off += 8) {
            out.add(Insn.st(DW, FP, -off, rnd.nextInt()));
        }
        List<Block> body = new ArrayList<>();
        int statements = 5 + rnd.nextInt(main ? 40 : 15);
        for (int i = 0; i < statements; i++) {
            body.add(statement(callees, statements - i - 1));
        }
        out.addAll(lay(body));
        fold(out);
        out.add(Insn.exit());
        return out;
    }

    /** Lays out blocks, turning each jump block's skip count into a slot offset. */
    private static List<Insn> lay(List<Block> blocks) {
        int[] start = new int[blocks.size() + 1];
        for (int i = 0; i < blocks.size(); i++) {
            start[i + 1] = start[i] + blocks.get(i).insns().size();
        }
        List<Insn> out = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            List<Insn> insns = new ArrayList<>(b.insns());
            int last = insns.size() - 1;
            if (b.skip() > 0) {
                int end = start[i] + last + 1;
                insns.set(last, insns.get(last).withOff(start[i + 1 + b.skip()] - end));
            } else if (b.loopBack()) {
                insns.set(last, insns.get(last).withOff(-insns.size() + 1));
            }
            out.addAll(insns);
        }
        return out;
    }

    private void initRegister(List<Insn> out, int r) {
        long v = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextLong();
            case 1 -> rnd.nextInt();
            case 2 -> INTERESTING[rnd.nextInt(INTERESTING.length)];
            default -> rnd.nextInt(256);
        };
        if (v == (int) v) {
            out.add(Insn.mov64Imm(r, (int) v));
        } else {
            out.addAll(List.of(Insn.lddw(r, 0, v)));
        }
    }

    /** r0 = a mix of r0..r8 and every stack word this function used. */
    private void fold(List<Insn> out) {
        for (int r = 1; r <= 8; r++) {
            out.add(Insn.alu64Imm(MUL, 0, 0x01000193));
            out.add(Insn.alu64Reg(XOR, 0, r));
        }
        for (int off = 8; off <= STACK_USED; off += 8) {
            out.add(Insn.ldx(DW, 1, FP, -off));
            out.add(Insn.alu64Imm(MUL, 0, 0x01000193));
            out.add(Insn.alu64Reg(XOR, 0, 1));
        }
    }

    private int reg() {
        return rnd.nextInt(9); // r0..r8; r9 holds the memory and r10 the stack
    }

    private int imm() {
        return switch (rnd.nextInt(3)) {
            case 0 -> INTERESTING[rnd.nextInt(INTERESTING.length)];
            case 1 -> rnd.nextInt(-300, 300);
            default -> rnd.nextInt();
        };
    }

    private Block statement(int callees, int remaining) {
        int kind = rnd.nextInt(100);
        if (kind < 38) {
            return Block.of(List.of(alu()));
        } else if (kind < 40) {
            // a copy then an add (the JIT fuses it into one lea)
            int dst = reg();
            int cls = rnd.nextBoolean() ? ALU64 : ALU;
            Insn add = rnd.nextBoolean() ? new Insn(cls | ADD | K, dst, 0, 0, imm()) : new Insn(cls | ADD | X, dst, reg(), 0, 0);
            return Block.of(List.of(new Insn(cls | MOV | X, dst, reg(), 0, 0), add));
        } else if (kind < 42) {
            return Block.of(rotation());
        } else if (kind < 45) {
            // an index scaled and added, as inlined array lookups do (the JIT fuses it into one lea)
            int dst = reg();
            return Block.of(List.of(Insn.alu64Imm(LSH, dst, 1 + rnd.nextInt(3)), Insn.alu64Reg(ADD, dst, reg())));
        } else if (kind < 58) {
            return Block.of(List.of(load()));
        } else if (kind < 68) {
            return Block.of(List.of(store()));
        } else if (kind < 76) {
            return Block.of(atomic());
        } else if (kind < 88 && remaining > 0) {
            return jump(1 + rnd.nextInt(Math.min(remaining, 4)));
        } else if (kind < 92) {
            return loop();
        } else if (kind < 96 && callees > 0) {
            return call(rnd.nextInt(callees) + 1);
        } else {
            return helperCall();
        }
    }

    /**
     * {@code wY op= rol(wX, k)} as two shifted halves through a scratch register T (the JIT fuses
     * it into one rotate); the registers are random, so some repeat and must not be fused.
     */
    private List<Insn> rotation() {
        int t = reg();
        int x = reg();
        int y = reg();
        int k = 1 + rnd.nextInt(31);
        int op = new int[] {ADD, SUB, XOR, OR}[rnd.nextInt(4)];
        Insn copy = new Insn(ALU | MOV | X, t, x, 0, 0);
        Insn apply = new Insn(ALU | op | X, y, t, 0, 0);
        return List.of(copy, Insn.alu32Imm(LSH, t, k), apply, copy, Insn.alu32Imm(RSH, t, 32 - k), apply);
    }

    private Insn alu() {
        boolean is64 = rnd.nextBoolean();
        int cls = is64 ? ALU64 : ALU;
        int op = ALU_OPS[rnd.nextInt(ALU_OPS.length)];
        int dst = reg();
        boolean x = rnd.nextBoolean();
        switch (op) {
            case NEG:
                return new Insn(cls | NEG, dst, 0, 0, 0);
            case END: {
                int width = new int[] {16, 32, 64}[rnd.nextInt(3)];
                int kind = rnd.nextInt(3);
                return switch (kind) {
                    case 0 -> new Insn(ALU | END | TO_LE, dst, 0, 0, width);
                    case 1 -> new Insn(ALU | END | TO_BE, dst, 0, 0, width);
                    default -> new Insn(ALU64 | END, dst, 0, 0, width);
                };
            }
            case LSH, RSH, ARSH:
                if (!x) {
                    return new Insn(cls | op | K, dst, 0, 0, rnd.nextInt(is64 ? 64 : 32));
                }
                return new Insn(cls | op | X, dst, reg(), 0, 0);
            case DIV, MOD: {
                int signed = rnd.nextBoolean() ? 1 : 0;
                return x ? new Insn(cls | op | X, dst, reg(), signed, 0) : new Insn(cls | op | K, dst, 0, signed, imm());
            }
            case MOV:
                if (x && rnd.nextInt(3) == 0) {
                    int[] widths = is64 ? new int[] {8, 16, 32} : new int[] {8, 16};
                    return new Insn(cls | MOV | X, dst, reg(), widths[rnd.nextInt(widths.length)], 0);
                }
                return x ? new Insn(cls | MOV | X, dst, reg(), 0, 0) : new Insn(cls | MOV | K, dst, 0, 0, imm());
            default:
                return x ? new Insn(cls | op | X, dst, reg(), 0, 0) : new Insn(cls | op | K, dst, 0, 0, imm());
        }
    }

    /** A base register and an offset where {@code bytes} fit, aligned to them. */
    private int[] address(int bytes) {
        if (rnd.nextBoolean()) {
            int off = rnd.nextInt(MEM_SIZE / bytes) * bytes;
            return new int[] {9, off};
        }
        int off = -(1 + rnd.nextInt(STACK_USED / bytes)) * bytes;
        return new int[] {FP, off};
    }

    private Insn load() {
        int size = SIZES[rnd.nextInt(SIZES.length)];
        int[] a = address(sizeBytes(size));
        boolean sx = size != DW && rnd.nextInt(3) == 0;
        return new Insn(LDX | (sx ? MEMSX : MEM) | size, reg(), a[0], a[1], 0);
    }

    private Insn store() {
        int size = SIZES[rnd.nextInt(SIZES.length)];
        int[] a = address(sizeBytes(size));
        if (rnd.nextBoolean()) {
            return new Insn(ST | MEM | size, a[0], 0, a[1], imm());
        }
        return new Insn(STX | MEM | size, a[0], reg(), a[1], 0);
    }

    private List<Insn> atomic() {
        int size = rnd.nextBoolean() ? W : DW;
        int[] a = address(sizeBytes(size));
        int op = ATOMIC_OPS[rnd.nextInt(ATOMIC_OPS.length)];
        return List.of(new Insn(STX | ATOMIC | size, a[0], reg(), a[1], op));
    }

    private Block jump(int skip) {
        boolean is32 = rnd.nextBoolean();
        int op = JMP_OPS[rnd.nextInt(JMP_OPS.length)];
        int cls = is32 ? JMP32 : JMP;
        Insn j = rnd.nextBoolean() ? new Insn(cls | op | X, reg(), reg(), 0, 0) : new Insn(cls | op | K, reg(), 0, 0, imm());
        return new Block(List.of(j), skip, false);
    }

    /** {@code r8 = n; do { body } while (--r8 != 0)} with a body that leaves r8 alone. */
    private Block loop() {
        List<Insn> insns = new ArrayList<>();
        insns.add(Insn.mov64Imm(8, 1 + rnd.nextInt(5)));
        List<Insn> body = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        while (body.size() < n) {
            Insn i = rnd.nextBoolean() ? alu() : rnd.nextBoolean() ? load() : store();
            if (!(i.dst() == 8 && i.cls() != ST && i.cls() != STX)) {
                body.add(i);
            }
        }
        insns.addAll(body);
        insns.add(Insn.alu64Imm(SUB, 8, 1));
        insns.add(Insn.jmpImm(JNE, 8, 0, 0)); // back to the first body instruction, set when laid out
        return new Block(insns, 0, true);
    }

    /** Calls subprogram {@code callee} with the memory in r1; r1..r5 are dead afterwards, so they are set again. */
    private Block call(int callee) {
        List<Insn> insns = new ArrayList<>();
        insns.add(Insn.mov64Reg(1, 9));
        insns.add(new Insn(CALL_OP, 0, PSEUDO_CALL, 0, callee));
        for (int r = 1; r <= 5; r++) {
            initRegister(insns, r);
        }
        return Block.of(insns);
    }

    private Block helperCall() {
        List<Insn> insns = new ArrayList<>();
        insns.add(Insn.call(HELPER));
        for (int r = 1; r <= 5; r++) {
            initRegister(insns, r);
        }
        return Block.of(insns);
    }
}
