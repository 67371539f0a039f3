package org.bpfsdt.maps.hash;

import static org.bpfsdt.api.isa.Opcodes.ADD;
import static org.bpfsdt.api.isa.Opcodes.AND;
import static org.bpfsdt.api.isa.Opcodes.B;
import static org.bpfsdt.api.isa.Opcodes.DW;
import static org.bpfsdt.api.isa.Opcodes.H;
import static org.bpfsdt.api.isa.Opcodes.JEQ;
import static org.bpfsdt.api.isa.Opcodes.JNE;
import static org.bpfsdt.api.isa.Opcodes.LSH;
import static org.bpfsdt.api.isa.Opcodes.W;
import static org.bpfsdt.maps.hash.ElementLayout.HASH;
import static org.bpfsdt.maps.hash.ElementLayout.NEXT;
import static org.bpfsdt.maps.hash.ElementLayout.REF;

import java.util.List;

import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.maps.support.BpfCode;
import org.bpfsdt.maps.support.Jhash;

/**
 * {@code bpf_map_lookup_elem} of a HASH or LRU_HASH map as a BPF function over the map's native
 * layout ({@link org.bpfsdt.api.spi.MapBackend#lookupFunction()}), what the kernel's
 * {@code htab_map_gen_lookup} reaches by calling {@code __htab_map_lookup_elem}: the key's jhash
 * ({@link Jhash#emit}), its bucket, then the chain, comparing the stored hash and then the key
 * 8 bytes at a time. The map's constants (seed, bucket array, mask, layout) are immediates.
 *
 * <pre>
 *   (jhash of the key at r2 into w5)
 *   r1 = buckets; r4 = r5; r4 &= mask; r4 <<= 3; r4 += r1
 *   r4 = *(u64 *)(r4 + 0)                 the chain's head
 * walk:
 *   if r4 == 0 goto miss
 *   r0 = *(u32 *)(r4 + hash)
 *   if r0 != r5 goto next
 *   r0 = *(u64 *)(r2 + i); r1 = *(u64 *)(r4 + key + i); if r0 != r1 goto next     for each 8 (then 4, 2, 1) bytes
 *   (LRU: if *(u32 *)(r4 + ref) == 0, *(u32 *)(r4 + ref) = 1)
 *   r0 = r4; r0 += value; exit
 * next:
 *   r4 = *(u64 *)(r4 + next); goto walk
 * miss:
 *   r0 = 0; exit
 * </pre>
 *
 * Memory ordering is the Java reader's ({@code HashTableMap.find}): a writer fills an element
 * completely before one release store links it (head or {@code next}), and an unlinked element
 * keeps its words until a grace period after the run. The routine reads each link once and
 * reaches the element's words through it (an address dependency, like {@code rcu_dereference}),
 * and compiled code loads in program order; on x86-64 every load is an acquire load.
 */
final class LookupFunction {
    /** Longer keys go through the helper: no program stack holds one, and the compare would be long. */
    static final int MAX_KEY_SIZE = 512;
    private static final int KEY = Jhash.KEY, HASH_REG = Jhash.RC, ELEM = 4, T0 = 0, T1 = 1;

    private LookupFunction() {
    }

    /** The function for a map with this layout, key size, seed, bucket array and bucket mask ({@code < 2^31}). */
    static List<Insn> of(ElementLayout layout, int keySize, int seed, long buckets, long bucketMask, boolean lru) {
        if (keySize <= 0 || keySize > MAX_KEY_SIZE || bucketMask < 0 || bucketMask > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("no lookup function for key size " + keySize + " and bucket mask " + bucketMask);
        }
        BpfCode code = new BpfCode();
        Jhash.emit(code, keySize, seed);
        // the shift right before the add: JITs make the pair one scaled address
        code.lddw(T1, buckets)
                .add(Insn.mov64Reg(ELEM, HASH_REG))
                .add(Insn.alu64Imm(AND, ELEM, (int) bucketMask))
                .add(Insn.alu64Imm(LSH, ELEM, 3))
                .add(Insn.alu64Reg(ADD, ELEM, T1))
                .add(Insn.ldx(DW, ELEM, ELEM, 0));
        int walk = code.label();
        int next = code.label();
        int miss = code.label();
        code.bind(walk);
        code.jumpImm(JEQ, ELEM, 0, miss);
        code.add(Insn.ldx(W, T0, ELEM, (int) HASH));
        code.jumpReg(JNE, T0, HASH_REG, next);
        int at = 0;
        for (int size : new int[] {8, 4, 2, 1}) {
            int op = switch (size) {
                case 8 -> DW;
                case 4 -> W;
                case 2 -> H;
                default -> B;
            };
            for (; at + size <= keySize; at += size) {
                code.add(Insn.ldx(op, T0, KEY, at)).add(Insn.ldx(op, T1, ELEM, (int) layout.keyOffset() + at));
                code.jumpReg(JNE, T0, T1, next);
            }
        }
        if (lru) {
            // LruList.touch: set the reference bit, writing only when it is clear
            int referenced = code.label();
            code.add(Insn.ldx(W, T1, ELEM, (int) REF));
            code.jumpImm(JNE, T1, 0, referenced);
            code.add(Insn.st(W, ELEM, (int) REF, 1));
            code.bind(referenced);
        }
        code.add(Insn.mov64Reg(T0, ELEM)).add(Insn.alu64Imm(ADD, T0, (int) layout.valueOffset())).add(Insn.exit());
        code.bind(next);
        code.add(Insn.ldx(DW, ELEM, ELEM, (int) NEXT));
        code.jump(walk);
        code.bind(miss);
        code.add(Insn.mov64Imm(T0, 0)).add(Insn.exit());
        return code.build();
    }
}
