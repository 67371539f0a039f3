package org.bpfsdt.jit.x86_64.asm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import org.bpfsdt.jit.x86_64.asm.X86Assembler.AluOp;
import org.bpfsdt.jit.x86_64.asm.X86Assembler.ShiftOp;
import org.bpfsdt.jit.x86_64.asm.X86Assembler.UnaryOp;

/**
 * Every instruction form of {@link X86Assembler}, each paired with its Intel-syntax text, over
 * the registers, widths, displacements and immediates whose encodings differ (REX bits, the
 * rsp/r12 SIB and rbp/r13 displacement cases, byte registers needing REX, imm8 vs imm32).
 */
final class EncodingCases {
    record Case(String asm, Consumer<X86Assembler> emit) {
    }

    private final List<Case> cases = new ArrayList<>();

    private EncodingCases() {
    }

    static List<Case> all() {
        EncodingCases c = new EncodingCases();
        c.moves();
        c.arithmetic();
        c.shifts();
        c.memory();
        c.atomics();
        c.control();
        return List.copyOf(c.cases);
    }

    private void add(String asm, Consumer<X86Assembler> emit) {
        cases.add(new Case(asm, emit));
    }

    private static final Reg[] REGS = Reg.values();
    /** Registers whose encodings differ: plain, a byte register needing REX, an extended one. */
    private static final Reg[] FEW = {Reg.RAX, Reg.RSI, Reg.R9};

    /** Every register as either operand: each against two others, and every one against rax and r13. */
    private static List<Reg[]> pairs() {
        List<Reg[]> out = new ArrayList<>();
        for (Reg d : REGS) {
            out.add(new Reg[] {d, REGS[(d.ordinal() + 5) % 16]});
            out.add(new Reg[] {d, REGS[(d.ordinal() + 11) % 16]});
        }
        for (Reg s : REGS) {
            out.add(new Reg[] {Reg.RAX, s});
            out.add(new Reg[] {Reg.R13, s});
        }
        return out;
    }
    private static final Width[] WIDE = {Width.DWORD, Width.QWORD};
    private static final int[] IMMS = {0, 1, -1, 127, -128, 128, -129, 0x7fffffff, Integer.MIN_VALUE, 0x12345678};
    private static final int[] DISPS = {8, 127, -128, 128, -512, 0x12345};

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static List<Mem> mems() {
        List<Mem> out = new ArrayList<>();
        for (Reg base : REGS) {
            out.add(Mem.of(base, 0));
            out.add(Mem.of(base, -8));
        }
        for (int d : DISPS) {
            out.add(Mem.of(Reg.RBP, d));
            out.add(Mem.of(Reg.R12, d));
            out.add(Mem.of(Reg.RDI, d));
        }
        out.add(Mem.indexed(Reg.R11, Reg.R10, 8, 0));
        out.add(Mem.indexed(Reg.RAX, Reg.RBP, 8, 16));
        out.add(Mem.indexed(Reg.R13, Reg.RDX, 4, -4));
        out.add(Mem.indexed(Reg.RSP, Reg.R15, 2, 0x1000));
        return out;
    }

    private void moves() {
        for (Reg d : REGS) {
            for (Reg s : REGS) {
                add("mov " + d.name(Width.QWORD) + ", " + s.name(Width.QWORD), a -> a.mov(Width.QWORD, d, s));
            }
        }
        for (Width w : Width.values()) {
            for (Reg[] p : pairs()) {
                add("mov " + p[0].name(w) + ", " + p[1].name(w), a -> a.mov(w, p[0], p[1]));
            }
        }
        for (Reg d : REGS) {
            for (int imm : new int[] {0, -1, 0x12345678}) {
                add("mov " + d.name(Width.DWORD) + ", " + imm, a -> a.movImm32(d, imm));
                add("mov " + d.name(Width.QWORD) + ", " + imm, a -> a.movImmSx(d, imm));
            }
            add("movabs " + d.name(Width.QWORD) + ", 0x1234567800000000", a -> a.movAbs(d, 0x1234567800000000L));
            add("movabs " + d.name(Width.QWORD) + ", -2", a -> a.movAbs(d, -2));
            for (Reg s : FEW) {
                add("movzx " + d.name(Width.DWORD) + ", " + s.name(Width.BYTE), a -> a.movzx(Width.BYTE, d, s));
                add("movzx " + d.name(Width.DWORD) + ", " + s.name(Width.WORD), a -> a.movzx(Width.WORD, d, s));
                for (Width to : WIDE) {
                    add("movsx " + d.name(to) + ", " + s.name(Width.BYTE), a -> a.movsx(Width.BYTE, to, d, s));
                    add("movsx " + d.name(to) + ", " + s.name(Width.WORD), a -> a.movsx(Width.WORD, to, d, s));
                }
                add("movsxd " + d.name(Width.QWORD) + ", " + s.name(Width.DWORD), a -> a.movsx(Width.DWORD, Width.QWORD, d, s));
            }
        }
    }

    private void arithmetic() {
        for (AluOp op : AluOp.values()) {
            for (Width w : WIDE) {
                for (Reg[] p : pairs()) {
                    add(lower(op) + " " + p[0].name(w) + ", " + p[1].name(w), a -> a.alu(op, w, p[0], p[1]));
                }
                for (Reg d : REGS) {
                    for (int imm : d == Reg.RAX || d == Reg.R12 || d == Reg.RBX ? IMMS : new int[] {-1, 0x12345678}) {
                        add(lower(op) + " " + d.name(w) + ", " + imm, a -> a.aluImm(op, w, d, imm));
                    }
                }
                for (Mem m : List.of(Mem.of(Reg.RBP, -520), Mem.of(Reg.RSI, 12), Mem.of(Reg.R12, 0))) {
                    for (int imm : new int[] {0, 1, 1000}) {
                        add(lower(op) + " " + w.ptr() + " " + m + ", " + imm, a -> a.aluMemImm(op, w, m, imm));
                    }
                    for (Reg d : FEW) {
                        add(lower(op) + " " + d.name(w) + ", " + w.ptr() + " " + m, a -> a.aluLoad(op, w, d, m));
                    }
                }
            }
        }
        for (Width w : WIDE) {
            for (Reg[] p : pairs()) {
                add("test " + p[0].name(w) + ", " + p[1].name(w), a -> a.test(w, p[0], p[1]));
                add("imul " + p[0].name(w) + ", " + p[1].name(w), a -> a.imul(w, p[0], p[1]));
                for (int imm : new int[] {-1, 128}) {
                    add("imul " + p[0].name(w) + ", " + p[1].name(w) + ", " + imm, a -> a.imulImm(w, p[0], p[1], imm));
                }
            }
            for (Reg d : REGS) {
                for (int imm : new int[] {1, 0xff, -1, 0x10000}) {
                    add("test " + d.name(w) + ", " + imm, a -> a.testImm(w, d, imm));
                }
                for (UnaryOp op : UnaryOp.values()) {
                    add(lower(op) + " " + d.name(w), a -> a.unary(op, w, d));
                }
                add("bswap " + d.name(w), a -> a.bswap(w, d));
            }
        }
        add("cdq", a -> a.signExtendAccumulator(Width.DWORD));
        add("cqo", a -> a.signExtendAccumulator(Width.QWORD));
    }

    private void shifts() {
        for (ShiftOp op : ShiftOp.values()) {
            for (Width w : Width.values()) {
                for (Reg r : w == Width.QWORD || w == Width.DWORD ? REGS : FEW) {
                    for (int n : new int[] {1, 31}) {
                        add(lower(op) + " " + r.name(w) + ", " + n, a -> a.shiftImm(op, w, r, n));
                    }
                    add(lower(op) + " " + r.name(w) + ", cl", a -> a.shiftCl(op, w, r));
                }
            }
            if (op == ShiftOp.ROR) {
                for (Width w : WIDE) {
                    for (Reg[] p : pairs()) {
                        for (int n : new int[] {1, 28}) {
                            add("rorx " + p[0].name(w) + ", " + p[1].name(w) + ", " + n, a -> a.rorx(w, p[0], p[1], n));
                        }
                    }
                }
            }
            if (op == ShiftOp.SHL || op == ShiftOp.SHR || op == ShiftOp.SAR) {
                for (Width w : WIDE) {
                    for (Reg[] p : pairs()) {
                        for (Reg c : new Reg[] {Reg.RCX, Reg.R9}) {
                            add(lower(op) + "x " + p[0].name(w) + ", " + p[1].name(w) + ", " + c.name(w), a -> a.shiftX(op, w, p[0], p[1], c));
                        }
                    }
                }
            }
        }
    }

    private void memory() {
        for (Mem m : mems()) {
            for (Reg r : FEW) {
                add("movzx " + r.name(Width.DWORD) + ", byte ptr " + m, a -> a.load(Width.BYTE, r, m));
                add("movzx " + r.name(Width.DWORD) + ", word ptr " + m, a -> a.load(Width.WORD, r, m));
                add("mov " + r.name(Width.DWORD) + ", dword ptr " + m, a -> a.load(Width.DWORD, r, m));
                add("mov " + r.name(Width.QWORD) + ", qword ptr " + m, a -> a.load(Width.QWORD, r, m));
                add("movsx " + r.name(Width.QWORD) + ", byte ptr " + m, a -> a.loadSx(Width.BYTE, r, m));
                add("movsx " + r.name(Width.QWORD) + ", word ptr " + m, a -> a.loadSx(Width.WORD, r, m));
                add("movsxd " + r.name(Width.QWORD) + ", dword ptr " + m, a -> a.loadSx(Width.DWORD, r, m));
                for (Width w : Width.values()) {
                    add("mov " + w.ptr() + " " + m + ", " + r.name(w), a -> a.store(w, m, r));
                }
                add("lea " + r.name(Width.QWORD) + ", " + m, a -> a.lea(r, m));
                add("lea " + r.name(Width.DWORD) + ", " + m, a -> a.lea(Width.DWORD, r, m));
            }
            for (Width w : Width.values()) {
                int imm = switch (w) {
                    case BYTE -> -7;
                    case WORD -> 0x1234;
                    default -> -123456;
                };
                add("mov " + w.ptr() + " " + m + ", " + imm, a -> a.storeImm(w, m, imm));
            }
        }
    }

    private void atomics() {
        for (Mem m : List.of(Mem.of(Reg.RDI, 0), Mem.of(Reg.RBP, -8), Mem.of(Reg.R12, 16), Mem.of(Reg.R13, 0), Mem.of(Reg.RAX, -300))) {
            for (Width w : WIDE) {
                for (Reg r : FEW) {
                    for (AluOp op : new AluOp[] {AluOp.ADD, AluOp.OR, AluOp.AND, AluOp.XOR}) {
                        add("lock " + lower(op) + " " + w.ptr() + " " + m + ", " + r.name(w), a -> a.lockAluMem(op, w, m, r));
                    }
                    add("lock xadd " + w.ptr() + " " + m + ", " + r.name(w), a -> a.lockXadd(w, m, r));
                    add("xchg " + w.ptr() + " " + m + ", " + r.name(w), a -> a.xchg(w, m, r));
                    add("lock cmpxchg " + w.ptr() + " " + m + ", " + r.name(w), a -> a.lockCmpxchg(w, m, r));
                }
            }
        }
    }

    private void control() {
        for (Reg r : REGS) {
            add("push " + r.name(Width.QWORD), a -> a.push(r));
            add("pop " + r.name(Width.QWORD), a -> a.pop(r));
            add("call " + r.name(Width.QWORD), a -> a.callReg(r));
            add("jmp " + r.name(Width.QWORD), a -> a.jmpReg(r));
        }
        for (Mem m : List.of(Mem.of(Reg.RAX, 0), Mem.of(Reg.R11, 8), Mem.of(Reg.RSP, 0), Mem.of(Reg.R13, 0))) {
            add("call qword ptr " + m, a -> a.callMem(m));
        }
        add("ret", X86Assembler::ret);
        add("leave", X86Assembler::leave);
        add("int3", X86Assembler::int3);
        add("nop", a -> a.nop(1));
        add("nop dword ptr [rax]", a -> a.nop(3));
    }
}
