package org.bpfsdt.bench;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.bpfsdt.api.isa.Insn;

/**
 * Counts the instructions a run executes by running an instrumented copy once: each basic block
 * starts with {@code r9 += its length} and each {@code exit} returns r9. For the benchmark
 * programs only (no calls, r9 unused), so the timed runs stay uninstrumented.
 */
final class InstructionCount {
    private InstructionCount() {
    }

    static List<Insn> instrument(List<Insn> insns) {
        int n = insns.size();
        TreeSet<Integer> leaders = new TreeSet<>(List.of(0));
        for (int pc = 0; pc < n; pc++) {
            Insn i = insns.get(pc);
            if (i.dst() == 9 || i.src() == 9 || i.isCall()) {
                throw new IllegalArgumentException("insn " + pc + ": instrumented programs may not use r9 or calls");
            }
            if (i.isJump()) {
                leaders.add(i.jumpTarget(pc));
                leaders.add(pc + 1);
            }
            if (i.isLddw()) {
                pc++;
            }
        }
        // new position of each old slot: one extra slot per leader before it, one per exit before it
        int[] pos = new int[n + 1];
        int added = 0;
        for (int pc = 0; pc <= n; pc++) {
            if (pc < n && leaders.contains(pc)) {
                added++;
            }
            if (pc < n && insns.get(pc).isExit()) {
                added++;
            }
            pos[pc] = pc + added;
        }
        List<Insn> out = new ArrayList<>();
        for (int pc = 0; pc < n; pc++) {
            Insn i = insns.get(pc);
            if (leaders.contains(pc)) {
                Integer next = leaders.higher(pc);
                int end = next == null ? n : next;
                int len = 0;
                for (int k = pc; k < end; k++) {
                    len++;
                    if (insns.get(k).isLddw()) {
                        k++;
                    }
                }
                out.add(Insn.alu64Imm(ADD, 9, len));
            }
            if (i.isExit()) {
                out.add(Insn.mov64Reg(0, 9));
            }
            if (i.isJump()) {
                // a jump lands on the target block's counter (before the r0 = r9 of a block that is an exit)
                int target = i.jumpTarget(pc);
                int rel = pos[target] - 1 - (insns.get(target).isExit() ? 1 : 0) - pos[pc] - 1;
                i = i.opcode() == GOTOL_OP ? i.withImm(rel) : i.withOff(rel);
            }
            out.add(i);
        }
        return out;
    }
}
