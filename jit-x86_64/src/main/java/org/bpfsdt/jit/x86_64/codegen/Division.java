package org.bpfsdt.jit.x86_64.codegen;

import static org.bpfsdt.api.isa.Opcodes.*;
import static org.bpfsdt.jit.x86_64.codegen.RegisterMap.AUX;
import static org.bpfsdt.jit.x86_64.codegen.RegisterMap.TMP;
import static org.bpfsdt.jit.x86_64.codegen.RegisterMap.TMP2;

import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.jit.x86_64.asm.Cond;
import org.bpfsdt.jit.x86_64.asm.Label;
import org.bpfsdt.jit.x86_64.asm.Reg;
import org.bpfsdt.jit.x86_64.asm.Width;
import org.bpfsdt.jit.x86_64.asm.X86Assembler;
import org.bpfsdt.jit.x86_64.asm.X86Assembler.AluOp;
import org.bpfsdt.jit.x86_64.asm.X86Assembler.ShiftOp;
import org.bpfsdt.jit.x86_64.asm.X86Assembler.UnaryOp;

/**
 * BPF division and modulo with their defined results where x86 would trap: {@code x / 0 = 0},
 * {@code x % 0 = x}, and for signed operations {@code MIN / -1 = MIN} (it wraps, as negation
 * does), {@code MIN % -1 = 0}. Constant divisors are settled at compile time (and powers of two
 * become shifts and masks); a register divisor is tested unless the verifier proved it non-zero.
 */
final class Division {
    private final X86Assembler a;
    private final boolean divisorNonZero;
    /** Whether the BPF registers in rax (r0) and rdx (r3) are read later: only then are they kept around {@code div}. */
    private final boolean keepRax;
    private final boolean keepRdx;

    Division(X86Assembler a, boolean divisorNonZero, boolean keepRax, boolean keepRdx) {
        this.a = a;
        this.divisorNonZero = divisorNonZero;
        this.keepRax = keepRax;
        this.keepRdx = keepRdx;
    }

    void emit(Insn insn, boolean is64, Reg dst, Reg src) {
        Width w = Width.of64(is64);
        boolean signed = insn.off() == 1;
        boolean mod = op(insn.opcode()) == MOD;
        if (src == null) {
            constantDivisor(w, signed, mod, dst, insn.imm());
            return;
        }
        Label done = new Label();
        if (!divisorNonZero) {
            Label nonZero = new Label();
            a.test(w, src, src);
            a.jcc(Cond.NE, nonZero);
            byZero(w, mod, dst);
            a.jmp(done);
            a.bind(nonZero);
        }
        if (signed) {
            Label ordinary = new Label();
            a.aluImm(AluOp.CMP, w, src, -1);
            a.jcc(Cond.NE, ordinary);
            byMinusOne(w, mod, dst);
            a.jmp(done);
            a.bind(ordinary);
        }
        divide(w, signed, mod, dst, src);
        a.bind(done);
    }

    private void constantDivisor(Width w, boolean signed, boolean mod, Reg dst, int imm) {
        boolean is64 = w == Width.QWORD;
        if (imm == 0) {
            byZero(w, mod, dst);
            return;
        }
        if (signed && imm == -1) {
            byMinusOne(w, mod, dst);
            return;
        }
        // the divisor as the operation sees it: sign-extended for 64 bits, the low 32 bits otherwise
        long divisor = is64 ? imm : imm & 0xffffffffL;
        if (!signed && divisor > 0 && Long.bitCount(divisor) == 1) {
            int k = Long.numberOfTrailingZeros(divisor);
            if (mod) {
                // divisor - 1 < 2^31 here (a 64-bit divisor comes from a positive imm32), so the mask fits an imm32
                a.aluImm(AluOp.AND, w, dst, (int) (divisor - 1));
            } else if (k == 0) {
                if (!is64) {
                    a.mov(Width.DWORD, dst, dst);
                }
            } else {
                a.shiftImm(ShiftOp.SHR, w, dst, k);
            }
            return;
        }
        a.movImm64(AUX, divisor);
        divide(w, signed, mod, dst, AUX);
    }

    /** x / 0 = 0; x % 0 = x (its low half for 32 bits). */
    private void byZero(Width w, boolean mod, Reg dst) {
        if (!mod) {
            a.zero(dst);
        } else if (w == Width.DWORD) {
            a.mov(Width.DWORD, dst, dst);
        }
    }

    /** x / -1 = -x (wrapping at the minimum); x % -1 = 0. */
    private void byMinusOne(Width w, boolean mod, Reg dst) {
        if (mod) {
            a.zero(dst);
        } else {
            a.unary(UnaryOp.NEG, w, dst);
        }
    }

    /** {@code dst = dst / divisor} or {@code dst % divisor} through rdx:rax, preserving every other BPF register that is read later. */
    private void divide(Width w, boolean signed, boolean mod, Reg dst, Reg divisor) {
        Reg by = divisor;
        if (by == Reg.RAX || by == Reg.RDX) {
            a.mov(Width.QWORD, AUX, by);
            by = AUX;
        }
        boolean saveRax = dst != Reg.RAX && keepRax;
        boolean saveRdx = dst != Reg.RDX && keepRdx;
        if (saveRax) {
            a.mov(Width.QWORD, TMP, Reg.RAX);
        }
        if (dst != Reg.RAX) {
            a.mov(Width.QWORD, Reg.RAX, dst);
        }
        if (saveRdx) {
            a.mov(Width.QWORD, TMP2, Reg.RDX);
        }
        if (signed) {
            a.signExtendAccumulator(w);
        } else {
            a.zero(Reg.RDX);
        }
        a.unary(signed ? UnaryOp.IDIV : UnaryOp.DIV, w, by);
        Reg result = mod ? Reg.RDX : Reg.RAX;
        if (dst != result) {
            a.mov(Width.QWORD, dst, result);
        }
        if (saveRax) {
            a.mov(Width.QWORD, Reg.RAX, TMP);
        }
        if (saveRdx) {
            a.mov(Width.QWORD, Reg.RDX, TMP2);
        }
    }
}
