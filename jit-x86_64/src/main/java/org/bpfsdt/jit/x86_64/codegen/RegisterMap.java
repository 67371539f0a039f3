package org.bpfsdt.jit.x86_64.codegen;

import org.bpfsdt.jit.x86_64.asm.Reg;

/**
 * Where BPF registers live, as in the kernel's x86-64 JIT: r1..r5 are the System V argument
 * registers so a helper call needs no moves, r0 is the return register, r6..r9 are callee-saved,
 * r10 is the frame pointer. The remaining registers serve the JIT itself.
 */
public final class RegisterMap {
    private RegisterMap() {
    }

    private static final Reg[] BPF = {
        Reg.RAX, Reg.RDI, Reg.RSI, Reg.RDX, Reg.RCX, Reg.R8, Reg.RBX, Reg.R13, Reg.R14, Reg.R15, Reg.RBP,
    };

    /** Scratch register for one instruction's sequence (the kernel's AUX_REG). */
    public static final Reg AUX = Reg.R11;
    /** Second scratch register: saves {@code rax} around division and atomics. */
    public static final Reg TMP = Reg.R10;
    /** Third scratch register: saves {@code rdx} around division. */
    public static final Reg TMP2 = Reg.R9;
    /** Tail calls left in this run: set by the entry, decremented by each tail call, preserved by everything else. */
    public static final Reg TAIL_CALL_BUDGET = Reg.R12;

    /** The x86 register holding BPF register {@code bpfReg} (0..10). */
    public static Reg of(int bpfReg) {
        return BPF[bpfReg];
    }

    /** Whether {@code bpfReg} is one of r6..r9, which a function must save before using. */
    static boolean calleeSaved(int bpfReg) {
        return bpfReg >= 6 && bpfReg <= 9;
    }
}
