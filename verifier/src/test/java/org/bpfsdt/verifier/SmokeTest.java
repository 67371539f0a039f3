package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.spi.VerifierResult;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void packetParse() {
        VerifierResult r = TestPrograms.verify(ProgramType.XDP, """
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                mov %r4, %r2
                add %r4, 14
                jgt %r4, %r3, out
                ldxb %r0, [%r2+13]
                exit
                out:
                mov %r0, 1
                exit
                """);
        System.out.println(r.log());
        System.out.println(org.bpfsdt.api.isa.Disassembler.disassemble(r.insns()));
    }

    @Test
    void packetOutOfRange() {
        BpfException e = assertThrows(BpfException.class, () -> TestPrograms.verify(ProgramType.XDP, """
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                mov %r4, %r2
                add %r4, 14
                jgt %r4, %r3, out
                ldxb %r0, [%r2+14]
                exit
                out:
                mov %r0, 1
                exit
                """));
        System.out.println(e.log());
    }

    @Test
    void mapLookup() {
        VerifierResult r = TestPrograms.verify(ProgramType.XDP, """
                mov %r1, 0
                stxw [%r10-4], %r1
                mov %r2, %r10
                add %r2, -4
                lddw %r1, map[0]
                call 1
                jeq %r0, 0, out
                ldxdw %r1, [%r0+0]
                add %r1, 1
                stxdw [%r0+0], %r1
                out:
                mov %r0, 2
                exit
                """, TestPrograms.map(1, MapType.HASH, 4, 8, 16));
        System.out.println(r.log());
    }

    @Test
    void loop() {
        VerifierResult r = TestPrograms.verify(ProgramType.XDP, """
                mov %r0, 0
                mov %r1, 0
                loop:
                add %r0, %r1
                add %r1, 1
                jlt %r1, 100, loop
                exit
                """);
        System.out.println(r.log().lines().skip(r.log().lines().count() - 3).toList());
    }
}
