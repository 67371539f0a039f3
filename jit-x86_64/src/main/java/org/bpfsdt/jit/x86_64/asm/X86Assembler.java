package org.bpfsdt.jit.x86_64.asm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes the x86-64 instructions the JIT needs (Intel SDM volume 2 encodings), in Intel operand
 * order: destination first. Code is position independent: jumps and calls to labels are
 * relative, absolute addresses live in a constant pool addressed {@code rip}-relative.
 *
 * <p>Jumps to labels are relaxed as an assembler does: each jump is emitted in its short form
 * unless an earlier pass found it does not fit (the {@link JumpSizes} carried between passes), and
 * {@link #finish()} reports whether every short jump fit. Jump sizes only grow between passes,
 * so repeating the pass until it fits always ends.
 */
public final class X86Assembler {
    /** The arithmetic group encoded by {@code 00..3F}, {@code 81 /n} and {@code 83 /n}. */
    public enum AluOp {
        ADD(0), OR(1), ADC(2), SBB(3), AND(4), SUB(5), XOR(6), CMP(7);

        final int n;

        AluOp(int n) {
            this.n = n;
        }
    }

    /** The group {@code F7 /n}. */
    public enum UnaryOp {
        NOT(2), NEG(3), MUL(4), IMUL(5), DIV(6), IDIV(7);

        final int n;

        UnaryOp(int n) {
            this.n = n;
        }
    }

    /** The shift group {@code C1/D1/D3 /n}. */
    public enum ShiftOp {
        ROL(0), ROR(1), SHL(4), SHR(5), SAR(7);

        final int n;

        ShiftOp(int n) {
            this.n = n;
        }
    }

    /** Which relaxable jumps must use their long form, carried from one pass to the next. */
    public static final class JumpSizes {
        private final BitSet longJumps = new BitSet();

        boolean isLong(int index) {
            return longJumps.get(index);
        }

        void markLong(int index) {
            longJumps.set(index);
        }

        /** How many jumps needed the long form. */
        public int longCount() {
            return longJumps.cardinality();
        }
    }

    /** A displacement of {@code end - at} bytes at {@code at}, relative to {@code end}; {@code jumpIndex} -1 for one that is never relaxed. */
    private record Fixup(int at, int end, Label target, int jumpIndex) {
        boolean shortForm() {
            return end - at == 1;
        }
    }

    private final JumpSizes jumpSizes;
    private final List<Fixup> fixups = new ArrayList<>();
    private final Map<Long, Label> pool = new LinkedHashMap<>();
    private byte[] buf = new byte[256];
    private int pos;
    private int jumpIndex;

    public X86Assembler(JumpSizes jumpSizes) {
        this.jumpSizes = jumpSizes;
    }

    /** An assembler whose jumps all take their long form unless told otherwise; for single instructions and tests. */
    public X86Assembler() {
        this(new JumpSizes());
    }

    public int position() {
        return pos;
    }

    public void bind(Label label) {
        label.bind(pos);
    }

    /** The bytes emitted so far. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    // ---------------------------------------------------------------------------------------
    // raw bytes

    public void emit8(int b) {
        if (pos == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[pos++] = (byte) b;
    }

    public void emit16(int v) {
        emit8(v);
        emit8(v >>> 8);
    }

    public void emit32(int v) {
        emit16(v);
        emit16(v >>> 16);
    }

    public void emit64(long v) {
        emit32((int) v);
        emit32((int) (v >>> 32));
    }

    private void put32(int at, int v) {
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
        buf[at + 2] = (byte) (v >>> 16);
        buf[at + 3] = (byte) (v >>> 24);
    }

    private static boolean fits8(long v) {
        return v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
    }

    private void opcode(int op) {
        if (op > 0xffff) {
            emit8(op >>> 16);
        }
        if (op > 0xff) {
            emit8(op >>> 8);
        }
        emit8(op);
    }

    // ---------------------------------------------------------------------------------------
    // prefixes, ModRM, SIB

    private void prefixes(Width w, int reg, Reg index, Reg base, boolean byteRegs) {
        if (w == Width.WORD) {
            emit8(0x66);
        }
        int rex = (w == Width.QWORD ? 8 : 0) | (reg >= 8 ? 4 : 0) | (index != null && index.extended() ? 2 : 0)
                | (base != null && base.extended() ? 1 : 0);
        if (rex != 0 || byteRegs) {
            emit8(0x40 | rex);
        }
    }

    /** {@code op} with ModRM {@code mod=11}: {@code reg} in the reg field, {@code rm} as the register operand. */
    private void rr(Width w, int op, int reg, Reg rm, boolean byteRegs) {
        prefixes(w, reg, null, rm, byteRegs);
        opcode(op);
        emit8(0xc0 | (reg & 7) << 3 | rm.low3());
    }

    /** {@code op} with a memory operand; {@code reg} is a register number or a {@code /n} extension. */
    private void rm(Width w, int op, int reg, Mem m, boolean byteRegs) {
        prefixes(w, reg, m.index(), m.base(), byteRegs);
        opcode(op);
        modrm(reg, m);
    }

    private void modrm(int reg, Mem m) {
        int base = m.base().low3();
        boolean sib = m.index() != null || base == 4;
        int disp = m.disp();
        int mod = disp == 0 && base != 5 ? 0 : fits8(disp) ? 1 : 2;
        emit8(mod << 6 | (reg & 7) << 3 | (sib ? 4 : base));
        if (sib) {
            int scaleBits = Integer.numberOfTrailingZeros(m.scale());
            emit8(scaleBits << 6 | (m.index() == null ? 4 : m.index().low3()) << 3 | base);
        }
        if (mod == 1) {
            emit8(disp);
        } else if (mod == 2) {
            emit32(disp);
        }
    }

    /** {@code op} with the register in its low three bits ({@code push}, {@code mov r, imm}, {@code bswap}). */
    private void opReg(Width w, int op, Reg r) {
        prefixes(w, 0, null, r, false);
        opcode(op | r.low3());
    }

    /**
     * A VEX-encoded (3-byte {@code C4} prefix) {@code op} with ModRM {@code mod=11}: {@code reg} and
     * {@code rm} as in {@link #rr}, {@code vvvv} the extra source register ({@code null}: none).
     */
    private void vexRr(int map, int pp, int op, Width w, Reg reg, Reg rm, Reg vvvv) {
        emit8(0xc4);
        emit8((reg.extended() ? 0 : 0x80) | 0x40 | (rm.extended() ? 0 : 0x20) | map);
        emit8((w == Width.QWORD ? 0x80 : 0) | (vvvv == null ? 0xf : ~vvvv.code() & 0xf) << 3 | pp);
        emit8(op);
        emit8(0xc0 | reg.low3() << 3 | rm.low3());
    }

    private static boolean byteRegs(Width w, Reg... regs) {
        if (w != Width.BYTE) {
            return false;
        }
        for (Reg r : regs) {
            if (r.byteNeedsRex()) {
                return true;
            }
        }
        return false;
    }

    private static void requireWide(Width w) {
        if (w != Width.DWORD && w != Width.QWORD) {
            throw new IllegalArgumentException("this form takes 32- or 64-bit operands, not " + w);
        }
    }

    // ---------------------------------------------------------------------------------------
    // moves

    /** {@code mov dst, src} ({@code 89 /r}); a 32-bit move zero-extends. */
    public void mov(Width w, Reg dst, Reg src) {
        rr(w, w == Width.BYTE ? 0x88 : 0x89, src.code(), dst, byteRegs(w, dst, src));
    }

    /** {@code mov dst32, imm32}: zero-extends to 64 bits. */
    public void movImm32(Reg dst, int imm) {
        opReg(Width.DWORD, 0xb8, dst);
        emit32(imm);
    }

    /** {@code mov dst64, imm32}, sign-extended. */
    public void movImmSx(Reg dst, int imm) {
        rr(Width.QWORD, 0xc7, 0, dst, false);
        emit32(imm);
    }

    /** {@code movabs dst, imm64}. */
    public void movAbs(Reg dst, long imm) {
        opReg(Width.QWORD, 0xb8, dst);
        emit64(imm);
    }

    /** Loads a 64-bit constant with the shortest move that leaves the flags alone. */
    public void movImm64(Reg dst, long imm) {
        if (imm >= 0 && imm <= 0xffffffffL) {
            movImm32(dst, (int) imm);
        } else if (imm == (int) imm) {
            movImmSx(dst, (int) imm);
        } else {
            movAbs(dst, imm);
        }
    }

    /** {@code xor dst32, dst32}: the shortest zeroing, clobbering the flags. */
    public void zero(Reg dst) {
        alu(AluOp.XOR, Width.DWORD, dst, dst);
    }

    /** A load: {@code movzx} for bytes and words, {@code mov} for 32 (zero-extending) and 64 bits. */
    public void load(Width w, Reg dst, Mem m) {
        switch (w) {
            case BYTE -> rm(Width.DWORD, 0x0fb6, dst.code(), m, false);
            case WORD -> rm(Width.DWORD, 0x0fb7, dst.code(), m, false);
            default -> rm(w, 0x8b, dst.code(), m, false);
        }
    }

    /** A sign-extending load into 64 bits: {@code movsx}, {@code movsxd}; a plain load for 64 bits. */
    public void loadSx(Width w, Reg dst, Mem m) {
        switch (w) {
            case BYTE -> rm(Width.QWORD, 0x0fbe, dst.code(), m, false);
            case WORD -> rm(Width.QWORD, 0x0fbf, dst.code(), m, false);
            case DWORD -> rm(Width.QWORD, 0x63, dst.code(), m, false);
            case QWORD -> rm(Width.QWORD, 0x8b, dst.code(), m, false);
        }
    }

    /** {@code mov [m], src} of width {@code w}. */
    public void store(Width w, Mem m, Reg src) {
        rm(w, w == Width.BYTE ? 0x88 : 0x89, src.code(), m, byteRegs(w, src));
    }

    /** {@code mov [m], imm} of width {@code w}; a 64-bit store sign-extends its 32-bit immediate. */
    public void storeImm(Width w, Mem m, int imm) {
        rm(w, w == Width.BYTE ? 0xc6 : 0xc7, 0, m, false);
        switch (w) {
            case BYTE -> emit8(imm);
            case WORD -> emit16(imm);
            default -> emit32(imm);
        }
    }

    /** {@code movzx dst32, src8|src16}. */
    public void movzx(Width from, Reg dst, Reg src) {
        rr(Width.DWORD, from == Width.BYTE ? 0x0fb6 : 0x0fb7, dst.code(), src, byteRegs(from, src));
    }

    /** {@code movsx dst, src} from a byte, word ({@code movsx}) or dword ({@code movsxd}, 64-bit only) to {@code to}. */
    public void movsx(Width from, Width to, Reg dst, Reg src) {
        requireWide(to);
        switch (from) {
            case BYTE -> rr(to, 0x0fbe, dst.code(), src, byteRegs(from, src));
            case WORD -> rr(to, 0x0fbf, dst.code(), src, false);
            case DWORD -> {
                if (to != Width.QWORD) {
                    throw new IllegalArgumentException("movsxd extends to 64 bits");
                }
                rr(Width.QWORD, 0x63, dst.code(), src, false);
            }
            default -> throw new IllegalArgumentException("cannot sign-extend from " + from);
        }
    }

    /** {@code lea dst, [m]}. */
    public void lea(Reg dst, Mem m) {
        lea(Width.QWORD, dst, m);
    }

    /** {@code lea dst, [m]} of 32 or 64 bits: the 32-bit form keeps the address's low half, zero-extended. */
    public void lea(Width w, Reg dst, Mem m) {
        requireWide(w);
        rm(w, 0x8d, dst.code(), m, false);
    }

    /** {@code lea dst, [rip + target]}. */
    public void leaRip(Reg dst, Label target) {
        prefixes(Width.QWORD, dst.code(), null, null, false);
        emit8(0x8d);
        ripOperand(dst.code(), target);
    }

    // ---------------------------------------------------------------------------------------
    // arithmetic

    /** {@code op dst, src}: two-register arithmetic or compare. */
    public void alu(AluOp op, Width w, Reg dst, Reg src) {
        rr(w, op.n << 3 | (w == Width.BYTE ? 0 : 1), src.code(), dst, byteRegs(w, dst, src));
    }

    /** {@code op dst, imm}: the sign-extended 8-bit form where it fits, the short {@code rax} form, else 32 bits. */
    public void aluImm(AluOp op, Width w, Reg dst, int imm) {
        requireWide(w);
        if (fits8(imm)) {
            rr(w, 0x83, op.n, dst, false);
            emit8(imm);
        } else if (dst == Reg.RAX) {
            prefixes(w, 0, null, null, false);
            emit8(op.n << 3 | 5);
            emit32(imm);
        } else {
            rr(w, 0x81, op.n, dst, false);
            emit32(imm);
        }
    }

    /** {@code op [m], imm} (32/64 bit). */
    public void aluMemImm(AluOp op, Width w, Mem m, int imm) {
        requireWide(w);
        if (fits8(imm)) {
            rm(w, 0x83, op.n, m, false);
            emit8(imm);
        } else {
            rm(w, 0x81, op.n, m, false);
            emit32(imm);
        }
    }

    /** {@code op dst, [m]}: arithmetic or compare with a memory source. */
    public void aluLoad(AluOp op, Width w, Reg dst, Mem m) {
        requireWide(w);
        rm(w, op.n << 3 | 3, dst.code(), m, false);
    }

    /** {@code lock op [m], src}: an atomic read-modify-write without a result. */
    public void lockAluMem(AluOp op, Width w, Mem m, Reg src) {
        requireWide(w);
        emit8(0xf0);
        rm(w, op.n << 3 | 1, src.code(), m, false);
    }

    /** {@code test a, b}. */
    public void test(Width w, Reg a, Reg b) {
        rr(w, w == Width.BYTE ? 0x84 : 0x85, b.code(), a, byteRegs(w, a, b));
    }

    /** {@code test r, imm32}. */
    public void testImm(Width w, Reg r, int imm) {
        requireWide(w);
        if (r == Reg.RAX) {
            prefixes(w, 0, null, null, false);
            emit8(0xa9);
        } else {
            rr(w, 0xf7, 0, r, false);
        }
        emit32(imm);
    }

    /** {@code imul dst, src}: the low half of the product, signed or not. */
    public void imul(Width w, Reg dst, Reg src) {
        requireWide(w);
        rr(w, 0x0faf, dst.code(), src, false);
    }

    /** {@code imul dst, src, imm}. */
    public void imulImm(Width w, Reg dst, Reg src, int imm) {
        requireWide(w);
        if (fits8(imm)) {
            rr(w, 0x6b, dst.code(), src, false);
            emit8(imm);
        } else {
            rr(w, 0x69, dst.code(), src, false);
            emit32(imm);
        }
    }

    /** {@code not|neg|mul|imul|div|idiv r} (the {@code F7} group). */
    public void unary(UnaryOp op, Width w, Reg r) {
        requireWide(w);
        rr(w, 0xf7, op.n, r, false);
    }

    /** {@code cdq} (32 bits) or {@code cqo} (64 bits): sign-extends the accumulator into {@code rdx}. */
    public void signExtendAccumulator(Width w) {
        requireWide(w);
        prefixes(w, 0, null, null, false);
        emit8(0x99);
    }

    /** {@code op r, count} by a constant. */
    public void shiftImm(ShiftOp op, Width w, Reg r, int count) {
        if (count == 1) {
            rr(w, w == Width.BYTE ? 0xd0 : 0xd1, op.n, r, byteRegs(w, r));
        } else {
            rr(w, w == Width.BYTE ? 0xc0 : 0xc1, op.n, r, byteRegs(w, r));
            emit8(count);
        }
    }

    /** {@code op r, cl}. */
    public void shiftCl(ShiftOp op, Width w, Reg r) {
        rr(w, w == Width.BYTE ? 0xd2 : 0xd3, op.n, r, byteRegs(w, r));
    }

    /** BMI2 {@code shlx|shrx|sarx dst, src, count}: flags untouched, count in any register. */
    public void shiftX(ShiftOp op, Width w, Reg dst, Reg src, Reg count) {
        requireWide(w);
        int pp = switch (op) {
            case SHL -> 1; // 66
            case SAR -> 2; // F3
            case SHR -> 3; // F2
            default -> throw new IllegalArgumentException(op + " has no BMI2 form");
        };
        vexRr(0x02, pp, 0xf7, w, dst, src, count);
    }

    /** BMI2 {@code rorx dst, src, count}: {@code src} rotated right into {@code dst}, flags untouched. */
    public void rorx(Width w, Reg dst, Reg src, int count) {
        requireWide(w);
        vexRr(0x03, 3, 0xf0, w, dst, src, null); // F2
        emit8(count);
    }

    /** {@code bswap r} (32 or 64 bits). */
    public void bswap(Width w, Reg r) {
        requireWide(w);
        opReg(w, 0x0fc8, r);
    }

    // ---------------------------------------------------------------------------------------
    // atomics

    /** {@code lock xadd [m], src}: adds and leaves the old value in {@code src}. */
    public void lockXadd(Width w, Mem m, Reg src) {
        requireWide(w);
        emit8(0xf0);
        rm(w, 0x0fc1, src.code(), m, false);
    }

    /** {@code xchg [m], src} (locked by the processor). */
    public void xchg(Width w, Mem m, Reg src) {
        requireWide(w);
        rm(w, 0x87, src.code(), m, false);
    }

    /** {@code lock cmpxchg [m], src}: compares with {@code rax}/{@code eax}. */
    public void lockCmpxchg(Width w, Mem m, Reg src) {
        requireWide(w);
        emit8(0xf0);
        rm(w, 0x0fb1, src.code(), m, false);
    }

    // ---------------------------------------------------------------------------------------
    // stack and control flow

    public void push(Reg r) {
        opReg(Width.DWORD, 0x50, r);
    }

    public void pop(Reg r) {
        opReg(Width.DWORD, 0x58, r);
    }

    public void ret() {
        emit8(0xc3);
    }

    public void leave() {
        emit8(0xc9);
    }

    public void int3() {
        emit8(0xcc);
    }

    /** {@code call r}. */
    public void callReg(Reg r) {
        rr(Width.DWORD, 0xff, 2, r, false);
    }

    /** {@code jmp r}. */
    public void jmpReg(Reg r) {
        rr(Width.DWORD, 0xff, 4, r, false);
    }

    /** {@code call qword ptr [m]}. */
    public void callMem(Mem m) {
        rm(Width.DWORD, 0xff, 2, m, false);
    }

    /** {@code call rel32} to a label. */
    public void call(Label target) {
        emit8(0xe8);
        rel32Fixup(target);
    }

    /** {@code call qword ptr [rip + pool]}: calls an absolute address held in the constant pool. */
    public void callAbsolute(long address) {
        emit8(0xff);
        ripOperand(2, constant(address));
    }

    /** {@code jmp qword ptr [rip + target]}: jumps to the address stored at a label. */
    public void jmpIndirect(Label target) {
        emit8(0xff);
        ripOperand(4, target);
    }

    /** {@code jmp} to a label, short when it fits. */
    public void jmp(Label target) {
        relaxableJump(0xeb, 0xe9, target);
    }

    /** {@code jcc} to a label, short when it fits. */
    public void jcc(Cond cond, Label target) {
        relaxableJump(0x70 | cond.code(), 0x0f80 | cond.code(), target);
    }

    /** A jump with a rel8 form and a rel32 form: the one {@link JumpSizes} says this jump needs. */
    private void relaxableJump(int shortOpcode, int longOpcode, Label target) {
        boolean isLong = jumpSizes.isLong(jumpIndex);
        opcode(isLong ? longOpcode : shortOpcode);
        fixups.add(new Fixup(pos, pos + (isLong ? 4 : 1), target, jumpIndex++));
        if (isLong) {
            emit32(0);
        } else {
            emit8(0);
        }
    }

    /** ModRM {@code mod=00 rm=101}: a {@code [rip + disp32]} operand, which ends the instruction (no immediate follows). */
    private void ripOperand(int reg, Label target) {
        emit8((reg & 7) << 3 | 5);
        rel32Fixup(target);
    }

    /** A disp32 relative to the end of the instruction, which it ends. */
    private void rel32Fixup(Label target) {
        fixups.add(new Fixup(pos, pos + 4, target, -1));
        emit32(0);
    }

    // ---------------------------------------------------------------------------------------
    // padding and constants

    /** The recommended multi-byte NOPs (SDM vol. 2, NOP), index = length. */
    private static final int[][] NOPS = {
        {},
        {0x90},
        {0x66, 0x90},
        {0x0f, 0x1f, 0x00},
        {0x0f, 0x1f, 0x40, 0x00},
        {0x0f, 0x1f, 0x44, 0x00, 0x00},
        {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
        {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
        {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    };

    /**
     * The CS segment-override prefix: ignored in 64-bit mode, so prefixes lengthen an instruction
     * without changing it (how assemblers pad with long NOPs, and how Linux pads {@code cs call}s
     * it rewrites in place).
     */
    public static final int CS = 0x2e;

    /** The 5-byte NOP {@code nop dword ptr [rax + rax]} that a probe site holds while detached. */
    public static final byte[] NOP5 = {0x0f, 0x1f, 0x44, 0x00, 0x00};

    /** Emits NOP instructions covering {@code n} bytes. */
    public void nop(int n) {
        while (n > 0) {
            int k = Math.min(n, NOPS.length - 1);
            for (int b : NOPS[k]) {
                emit8(b);
            }
            n -= k;
        }
    }

    /** Pads with {@code int3} to a multiple of {@code alignment}; for gaps no control flow reaches. */
    public void alignWithTraps(int alignment) {
        while (pos % alignment != 0) {
            int3();
        }
    }

    /** The label of an 8-byte constant in the pool (emitted by {@link #finish()}). */
    public Label constant(long value) {
        return pool.computeIfAbsent(value, v -> new Label());
    }

    /**
     * Emits the constant pool and resolves every jump, call and rip-relative reference. Returns
     * false, after marking the jumps that did not fit their short form as long, when the pass must
     * be repeated.
     */
    public boolean finish() {
        if (!pool.isEmpty()) {
            alignWithTraps(8);
            for (Map.Entry<Long, Label> e : pool.entrySet()) {
                bind(e.getValue());
                emit64(e.getKey());
            }
        }
        boolean fits = true;
        for (Fixup f : fixups) {
            long disp = (long) f.target.position() - f.end;
            if (f.shortForm()) {
                if (!fits8(disp)) {
                    jumpSizes.markLong(f.jumpIndex);
                    fits = false;
                } else {
                    buf[f.at] = (byte) disp;
                }
            } else {
                put32(f.at, (int) disp);
            }
        }
        return fits;
    }
}
