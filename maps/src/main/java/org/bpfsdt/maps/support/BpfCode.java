package org.bpfsdt.maps.support;

import static org.bpfsdt.api.isa.Opcodes.JA;
import static org.bpfsdt.api.isa.Opcodes.JMP;
import static org.bpfsdt.api.isa.Opcodes.K;
import static org.bpfsdt.api.isa.Opcodes.X;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.isa.Insn;

/**
 * Builds the BPF functions maps hand to engines: instructions in order, and jumps to labels that
 * are resolved when the code is done, so generators need not count slots.
 */
public final class BpfCode {
    private final List<Insn> insns = new ArrayList<>();
    /** Slot of each label, -1 until bound. */
    private final List<Integer> labels = new ArrayList<>();
    /** Pairs (jump slot, label) to resolve. */
    private final List<int[]> jumps = new ArrayList<>();

    /** A new label, bound later with {@link #bind}. */
    public int label() {
        labels.add(-1);
        return labels.size() - 1;
    }

    /** The next instruction is where {@code label} jumps to. */
    public void bind(int label) {
        labels.set(label, insns.size());
    }

    public BpfCode add(Insn insn) {
        insns.add(insn);
        return this;
    }

    /** {@code dst = imm64} (two slots). */
    public BpfCode lddw(int dst, long imm64) {
        for (Insn i : Insn.lddw(dst, 0, imm64)) {
            insns.add(i);
        }
        return this;
    }

    /** {@code if dst OP imm goto label} (64-bit compare). */
    public BpfCode jumpImm(int op, int dst, int imm, int label) {
        return jump(new Insn(JMP | op | K, dst, 0, 0, imm), label);
    }

    /** {@code if dst OP src goto label} (64-bit compare). */
    public BpfCode jumpReg(int op, int dst, int src, int label) {
        return jump(new Insn(JMP | op | X, dst, src, 0, 0), label);
    }

    /** {@code goto label}. */
    public BpfCode jump(int label) {
        return jump(new Insn(JMP | JA, 0, 0, 0, 0), label);
    }

    private BpfCode jump(Insn insn, int label) {
        jumps.add(new int[] {insns.size(), label});
        insns.add(insn);
        return this;
    }

    /** The instructions with every jump resolved. */
    public List<Insn> build() {
        List<Insn> out = new ArrayList<>(insns);
        for (int[] j : jumps) {
            int target = labels.get(j[1]);
            if (target < 0) {
                throw new IllegalStateException("label " + j[1] + " was never bound");
            }
            out.set(j[0], out.get(j[0]).withOff(target - j[0] - 1));
        }
        return List.copyOf(out);
    }
}
