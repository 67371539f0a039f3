package org.bpfsdt.maps.array;

import static org.bpfsdt.api.isa.Opcodes.ADD;
import static org.bpfsdt.api.isa.Opcodes.AND;
import static org.bpfsdt.api.isa.Opcodes.DW;
import static org.bpfsdt.api.isa.Opcodes.JGE;
import static org.bpfsdt.api.isa.Opcodes.JMP32;
import static org.bpfsdt.api.isa.Opcodes.K;
import static org.bpfsdt.api.isa.Opcodes.LSH;
import static org.bpfsdt.api.isa.Opcodes.MUL;
import static org.bpfsdt.api.isa.Opcodes.W;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.RuntimeLinkage;

/** Instruction sequences that replace {@code bpf_map_lookup_elem} calls, as the kernel's {@code map_gen_lookup}. */
final class InlineLookup {
    private static final int R0 = 0, R1 = 1, R2 = 2;

    private InlineLookup() {
    }

    /**
     * {@code array_map_gen_lookup} with the index mask always applied:
     * <pre>
     *   r1 = *(u64 *)(r1 + data)       value base from the map header
     *   r0 = *(u32 *)(r2 + 0)          the index
     *   if w0 >= max_entries goto null
     *   w0 &= index_mask
     *   r0 <<= log2(elem_size)         (or r0 *= elem_size)
     *   r0 += r1
     *   goto out
     * null:
     *   r0 = 0
     * out:
     * </pre>
     * The bounds check compares 32 bits, so it holds for every u32 {@code max_entries}.
     */
    static List<Insn> array(long maxEntries, long indexMask, long elemSize) {
        List<Insn> insns = new ArrayList<>(8);
        insns.add(Insn.ldx(DW, R1, R1, RuntimeLinkage.MAP_DATA));
        insns.add(Insn.ldx(W, R0, R2, 0));
        insns.add(new Insn(JMP32 | JGE | K, R0, 0, 4, (int) maxEntries));
        insns.add(Insn.alu32Imm(AND, R0, (int) indexMask));
        if (Long.bitCount(elemSize) == 1) {
            insns.add(Insn.alu64Imm(LSH, R0, Long.numberOfTrailingZeros(elemSize)));
        } else {
            insns.add(Insn.alu64Imm(MUL, R0, (int) elemSize));
        }
        insns.add(Insn.alu64Reg(ADD, R0, R1));
        insns.add(Insn.ja(1));
        insns.add(Insn.mov64Imm(R0, 0));
        return List.copyOf(insns);
    }
}
