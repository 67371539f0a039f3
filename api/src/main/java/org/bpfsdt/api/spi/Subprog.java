package org.bpfsdt.api.spi;

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
    public static java.util.List<Subprog> ofUnverified(java.util.List<org.bpfsdt.api.isa.Insn> insns) {
        java.util.TreeSet<Integer> starts = new java.util.TreeSet<>(java.util.List.of(0));
        for (int pc = 0; pc < insns.size(); pc++) {
            org.bpfsdt.api.isa.Insn insn = insns.get(pc);
            if (insn.isLocalCall() || (insn.isLddw() && insn.src() == org.bpfsdt.api.isa.Opcodes.PSEUDO_FUNC)) {
                starts.add(pc + 1 + insn.imm());
            }
            if (insn.isLddw()) {
                pc++;
            }
        }
        java.util.List<Subprog> out = new java.util.ArrayList<>();
        for (int start : starts) {
            Integer next = starts.higher(start);
            out.add(new Subprog(start, next == null ? insns.size() : next, org.bpfsdt.api.isa.Opcodes.STACK_SIZE, ""));
        }
        return java.util.List.copyOf(out);
    }
}
