package org.bpfsdt.loader.object;

import java.util.List;

import org.bpfsdt.api.isa.Insn;

/**
 * A function of a code section: a program entry (in a {@code SEC()} section) or a subprogram
 * (in {@code .text}).
 *
 * @param name        symbol name
 * @param section     section name
 * @param sectionInsn first slot in the section
 * @param insns       its instruction slots as compiled
 * @param global      a global symbol (not {@code static})
 * @param relos       what its instructions need fixed, by function-relative slot
 */
public record CodeFunction(String name, String section, int sectionInsn, List<Insn> insns, boolean global,
                           List<InsnRelo> relos) {
    public CodeFunction {
        insns = List.copyOf(insns);
        relos = List.copyOf(relos);
    }

    public boolean isSubprogram() {
        return ObjectParser.TEXT.equals(section);
    }

    /** Whether section slot {@code slot} lies in this function. */
    public boolean containsSlot(int slot) {
        return slot >= sectionInsn && slot < sectionInsn + insns.size();
    }
}
