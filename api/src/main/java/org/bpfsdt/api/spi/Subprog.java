package org.bpfsdt.api.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;

/**
 * A function of a program: the main program (index 0) or a bpf-to-bpf callee.
 *
 * @param start     first instruction slot
 * @param end       one past its last slot
 * @param stackDepth bytes of stack it uses (rounded to 8; at most 512)
 * @param name      its name from BTF func_info, or {@code ""}
 */
public record Subprog(int start, int end, int stackDepth, String name) {

    /**
     * The functions of a program that was not verified (raw runs): the main program and every
     * target of a local call or of a function address ({@code BPF_PSEUDO_FUNC}), in slot order,
     * each given the full {@value org.bpfsdt.api.isa.Opcodes#STACK_SIZE}-byte stack.
     */
    public static List<Subprog> ofUnverified(List<Insn> insns) {
        TreeSet<Integer> starts = new TreeSet<>(List.of(0));
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn insn = insns.get(pc);
            if (insn.isLocalCall() || (insn.isLddw() && insn.src() == Opcodes.PSEUDO_FUNC)) {
                starts.add(pc + 1 + insn.imm());
            }
            if (insn.isLddw()) {
                pc++;
            }
        }
        List<Subprog> out = new ArrayList<>();
        for (int start : starts) {
            Integer next = starts.higher(start);
            out.add(new Subprog(start, next == null ? insns.size() : next, Opcodes.STACK_SIZE, ""));
        }
        return List.copyOf(out);
    }
}
