package org.bpfsdt.api.isa;

import static org.bpfsdt.api.isa.Opcodes.*;

/**
 * One 8-byte instruction slot of RFC 9669: {@code opcode:8 dst:4 src:4 off:16 imm:32}, little
 * endian. A 64-bit immediate load (LDDW) takes two slots; its second slot is an {@code Insn}
 * with opcode 0 whose {@code imm} holds the upper 32 bits. Jump offsets count slots.
 */
public record Insn(int opcode, int dst, int src, int off, int imm) {

    public Insn {
        if ((opcode & ~0xff) != 0 || (dst & ~0xf) != 0 || (src & ~0xf) != 0 || off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw new IllegalArgumentException("field out of range: opcode=" + opcode + " dst=" + dst + " src=" + src + " off=" + off);
        }
    }

    /** The instruction encoded in the little-endian 64-bit word {@code raw}. */
    public static Insn decode(long raw) {
        return new Insn((int) (raw & 0xff), (int) (raw >>> 8) & 0xf, (int) (raw >>> 12) & 0xf, (short) (raw >>> 16), (int) (raw >>> 32));
    }

    /** The little-endian 64-bit word of this slot. */
    public long encode() {
        return (opcode & 0xffL) | (dst & 0xfL) << 8 | (src & 0xfL) << 12 | (off & 0xffffL) << 16 | (imm & 0xffffffffL) << 32;
    }

    public int cls() {
        return Opcodes.cls(opcode);
    }

    public boolean isLddw() {
        return opcode == LDDW;
    }

    public boolean isExit() {
        return opcode == EXIT_OP;
    }

    /** A call of any kind: helper, local (bpf-to-bpf), kfunc, or callx. */
    public boolean isCall() {
        return opcode == CALL_OP || opcode == CALLX_OP;
    }

    public boolean isHelperCall() {
        return opcode == CALL_OP && src == CALL_HELPER;
    }

    public boolean isLocalCall() {
        return opcode == CALL_OP && src == PSEUDO_CALL;
    }

    /** {@code goto +off} (JMP JA) or {@code gotol +imm} (JMP32 JA). */
    public boolean isUnconditionalJump() {
        return opcode == JA_OP || opcode == GOTOL_OP;
    }

    /** A jump that may go elsewhere than the next instruction: conditional or not, excluding calls and exit. */
    public boolean isJump() {
        int c = cls();
        if (c != JMP && c != JMP32) {
            return false;
        }
        int o = Opcodes.op(opcode);
        return o != CALL && o != EXIT;
    }

    /** The slot index a jump at {@code pc} goes to when taken (gotol uses imm, others off). */
    public int jumpTarget(int pc) {
        return pc + 1 + (opcode == GOTOL_OP ? imm : off);
    }

    /** The 64-bit immediate of an LDDW whose second slot is {@code next}. */
    public long imm64(Insn next) {
        return (imm & 0xffffffffL) | ((long) next.imm) << 32;
    }

    public Insn withImm(int newImm) {
        return new Insn(opcode, dst, src, off, newImm);
    }

    public Insn withOff(int newOff) {
        return new Insn(opcode, dst, src, newOff, imm);
    }

    public Insn withSrc(int newSrc) {
        return new Insn(opcode, dst, newSrc, off, imm);
    }

    // Builders for the common forms, named as the kernel's BPF_* macros.

    public static Insn alu64Imm(int op, int dst, int imm) {
        return new Insn(ALU64 | op | K, dst, 0, 0, imm);
    }

    public static Insn alu64Reg(int op, int dst, int src) {
        return new Insn(ALU64 | op | X, dst, src, 0, 0);
    }

    public static Insn alu32Imm(int op, int dst, int imm) {
        return new Insn(ALU | op | K, dst, 0, 0, imm);
    }

    public static Insn alu32Reg(int op, int dst, int src) {
        return new Insn(ALU | op | X, dst, src, 0, 0);
    }

    public static Insn mov64Imm(int dst, int imm) {
        return alu64Imm(MOV, dst, imm);
    }

    public static Insn mov64Reg(int dst, int src) {
        return alu64Reg(MOV, dst, src);
    }

    public static Insn ldx(int size, int dst, int src, int off) {
        return new Insn(LDX | MEM | size, dst, src, off, 0);
    }

    public static Insn stx(int size, int dst, int src, int off) {
        return new Insn(STX | MEM | size, dst, src, off, 0);
    }

    public static Insn st(int size, int dst, int off, int imm) {
        return new Insn(ST | MEM | size, dst, 0, off, imm);
    }

    public static Insn jmpImm(int op, int dst, int imm, int off) {
        return new Insn(JMP | op | K, dst, 0, off, imm);
    }

    public static Insn jmpReg(int op, int dst, int src, int off) {
        return new Insn(JMP | op | X, dst, src, off, 0);
    }

    public static Insn ja(int off) {
        return new Insn(JA_OP, 0, 0, off, 0);
    }

    public static Insn call(int helperId) {
        return new Insn(CALL_OP, 0, CALL_HELPER, 0, helperId);
    }

    public static Insn callLocal(int relative) {
        return new Insn(CALL_OP, 0, PSEUDO_CALL, 0, relative);
    }

    public static Insn exit() {
        return new Insn(EXIT_OP, 0, 0, 0, 0);
    }

    /** The two slots of {@code dst = imm64} with pseudo source {@code src}. */
    public static Insn[] lddw(int dst, int src, long imm64) {
        return new Insn[] {new Insn(LDDW, dst, src, 0, (int) imm64), new Insn(0, 0, 0, 0, (int) (imm64 >>> 32))};
    }

    @Override
    public String toString() {
        return Disassembler.formatSlot(this);
    }
}
