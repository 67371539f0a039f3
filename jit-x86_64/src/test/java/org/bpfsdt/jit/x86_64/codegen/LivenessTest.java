package org.bpfsdt.jit.x86_64.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.api.spi.SdtProbe;
import org.junit.jupiter.api.Test;

/** Which register values are read again: what lets the code generator drop saves and scratch results. */
class LivenessTest {

    private static Liveness of(String asm, List<SdtProbe> probes) {
        RuntimeLinkage linkage = () -> 0x2000;
        return Liveness.of(ProgramPlan.of(new JitRequest("t", ProgramType.XDP, Assembler.assemble(asm), List.of(), List.of(),
                id -> 0x1000, probes, linkage)));
    }

    @Test
    void aValueIsLiveUntilItsLastReadAndDeadOnceOverwritten() {
        Liveness l = of("""
                mov %r3, 1
                mov %r0, 2
                add %r0, %r3
                mov %r3, 7
                exit
                """, List.of());
        assertFalse(l.deadAfter(0, 3), "r3 is read by the add");
        assertTrue(l.deadAfter(2, 3), "then overwritten before any read");
        assertTrue(l.deadAfter(3, 3), "and never read again");
        assertFalse(l.deadAfter(3, 0), "exit returns r0");
    }

    @Test
    void aValueReadOnEitherPathOrByTheNextTurnOfALoopIsLive() {
        Liveness l = of("""
                mov %r0, 0
                mov %r4, 10
                mov %r5, 1
                loop:
                add %r0, %r5
                jeq %r0, 3, skip
                mov %r5, 2
                skip:
                sub %r4, 1
                jne %r4, 0, loop
                exit
                """, List.of());
        assertFalse(l.deadAfter(2, 5), "r5 is read at the loop's head");
        assertFalse(l.deadAfter(5, 5), "and again on the next turn");
        assertFalse(l.deadAfter(4, 5), "on the path that skips the write too");
    }

    @Test
    void callsReadTheirArgumentsAndClobberTheCallerSavedRegisters() {
        Liveness l = of("""
                mov %r1, 1
                mov %r3, 3
                mov %r6, 6
                call 1
                add %r0, %r6
                exit
                """, List.of());
        assertFalse(l.deadAfter(0, 1), "an argument");
        assertFalse(l.deadAfter(1, 3), "any of r1..r5 may be one");
        assertTrue(l.deadAfter(3, 3), "nothing reads r3 after the call: it is undefined there");
        assertFalse(l.deadAfter(3, 6), "r6 survives calls");
    }

    @Test
    void probeSitesAndTailCallsKeepEverything() {
        Liveness probe = of("""
                mov %r7, 1
                ja +0
                mov %r0, 0
                exit
                """, List.of(new SdtProbe("p", 1, 1, 1, new int[] {7})));
        assertFalse(probe.deadAfter(0, 7), "an observer may read any register at a probe site");
        Liveness tail = of("""
                mov %r0, 9
                call 12
                exit
                """, List.of());
        assertFalse(tail.deadAfter(0, 0), "a tail call that fails falls through with r0 as it was");
    }
}
