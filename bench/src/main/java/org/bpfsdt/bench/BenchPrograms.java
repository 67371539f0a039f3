package org.bpfsdt.bench;

import java.util.List;

import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;

/** Loop-heavy programs in the conformance suite's assembly, each with the memory it runs on. */
enum BenchPrograms {
    /** FNV-1a (32-bit) over 1,500 bytes: byte loads and 32-bit multiplies, as the shared xdp_fnv yardstick. */
    FNV("""
            mov32 %r0, 0x811c9dc5
            mov %r3, 0
            loop:
            ldxb %r4, [%r1+0]
            xor32 %r0, %r4
            mul32 %r0, 0x01000193
            add %r1, 1
            add %r3, 1
            jlt %r3, %r2, loop
            exit
            """, 1500),
    /** Primes below 5,000 by trial division: nested loops and 64-bit modulo, as the compute_primes yardstick. */
    PRIMES("""
            mov %r0, 0
            mov %r1, 2
            outer:
            mov %r2, 2
            inner:
            mov %r3, %r2
            mul %r3, %r2
            jgt %r3, %r1, prime
            mov %r4, %r1
            mod %r4, %r2
            jeq %r4, 0, next
            add %r2, 1
            ja inner
            prime:
            add %r0, 1
            next:
            add %r1, 1
            jlt %r1, 5000, outer
            exit
            """, 0),
    /** Sieve of Eratosthenes over 8,192 bytes of memory, then a count: stores, loads and branches. */
    SIEVE("""
            mov %r3, 2
            outer:
            mov %r4, %r3
            mul %r4, %r3
            jge %r4, %r2, count
            mov %r5, %r1
            add %r5, %r3
            ldxb %r6, [%r5+0]
            jne %r6, 0, nexti
            mark:
            mov %r5, %r1
            add %r5, %r4
            stb [%r5+0], 1
            add %r4, %r3
            jlt %r4, %r2, mark
            nexti:
            add %r3, 1
            ja outer
            count:
            mov %r0, 0
            mov %r3, 2
            cloop:
            mov %r5, %r1
            add %r5, %r3
            ldxb %r6, [%r5+0]
            jne %r6, 0, skip
            add %r0, 1
            skip:
            add %r3, 1
            jlt %r3, %r2, cloop
            exit
            """, 8192);

    final List<Insn> insns;
    final int memSize;

    BenchPrograms(String asm, int memSize) {
        this.insns = Assembler.assemble(asm);
        this.memSize = memSize;
    }

    /** The memory before a run: FNV's input pattern (byte i = (i * 7 + 3) & 0xff, as pkt_fnv.bin), zeros for the sieve. */
    byte[] input() {
        byte[] m = new byte[memSize];
        if (this == FNV) {
            for (int i = 0; i < m.length; i++) {
                m[i] = (byte) (i * 7 + 3);
            }
        }
        return m;
    }
}
