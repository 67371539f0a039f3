package org.bpfsdt.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.spi.ArgType;
import org.bpfsdt.api.spi.HelperProto;
import org.bpfsdt.api.spi.RetType;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.core.exec.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The checked interpreter traps what the verifier must never let through, naming instruction, register and address. */
class CheckedModeTest {
    private final CoreRuntime runtime = new CoreRuntime();
    private static final RawRunOptions CHECKED = RawRunOptions.interpreter().inCheckedMode();

    @AfterEach
    void close() {
        runtime.close();
    }

    private long run(String asm, byte[] mem, RawRunOptions o) {
        return runtime.runUnverified(Assembler.assemble(asm), mem, o).r0();
    }

    private BpfException trapped(String asm, byte[] mem) {
        BpfException e = assertThrows(BpfException.class, () -> run(asm, mem, CHECKED));
        assertEquals(Errno.EFAULT, e.errno());
        return e;
    }

    @Test
    void accessesInsideTheMemoryAndStackPass() {
        assertEquals(0x0807060504030201L, run("stxdw [%r10-16], %r1\nldxdw %r0, [%r1+0]\nexit", new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, CHECKED));
    }

    @Test
    void outOfBoundsReadNamesInstructionRegisterAndAddress() {
        BpfException e = trapped("ldxw %r0, [%r1+6]\nexit", new byte[8]);
        assertTrue(e.reason().startsWith("insn 0 (ldxw %r0, [%r1+6]): read of 4 bytes at r1 + 6 = 0x"), e.reason());
        assertTrue(e.reason().endsWith("is outside every known region"), e.reason());
    }

    @Test
    void uninitialisedStackReadsAreTrapped() {
        BpfException e = trapped("stw [%r10-8], 1\nldxdw %r0, [%r10-8]\nexit", new byte[0]);
        assertTrue(e.reason().startsWith("insn 1 (ldxdw %r0, [%r10-8])") && e.reason().contains("uninitialised stack at r10 - 4"), e.reason());
        // a callee's frame starts uninitialised even where an earlier call wrote
        trapped("call local f\ncall local g\nexit\nf:\nstdw [%r10-8], 1\nexit\ng:\nldxdw %r0, [%r10-8]\nexit", new byte[0]);
    }

    @Test
    void stackOutsideTheRunsFramesIsTrapped() {
        BpfException e = trapped("ldxdw %r0, [%r10+8]\nexit", new byte[0]);
        assertTrue(e.reason().contains("outside"), e.reason());
        e = trapped("stdw [%r10-520], 1\nexit", new byte[0]);
        assertTrue(e.reason().contains("outside the stack frames of the run"), e.reason());
    }

    @Test
    void readOnlyRegionsRefuseStores() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ro = arena.allocate(8, 8);
            String asm = "lddw %r2, " + ro.address() + "\nldxdw %r0, [%r2+0]\nstxdw [%r2+0], %r0\nexit";
            RawRunOptions o = CHECKED.withRegion(new RawRunOptions.Region(ro.address(), 8, false, "rodata"));
            BpfException e = assertThrows(BpfException.class, () -> run(asm, new byte[0], o));
            assertTrue(e.reason().startsWith("insn 3 (stxdw [%r2+0], %r0)") && e.reason().endsWith("writes read-only region 'rodata'"), e.reason());
        }
    }

    @Test
    void misalignedAtomicsAreTrapped() {
        BpfException e = trapped("mov %r2, 1\nlock add [%r1+4], %r2\nexit", new byte[16]);
        assertTrue(e.reason().contains("misaligned 8-byte atomic access at r1 + 4"), e.reason());
    }

    @Test
    void mapValuesReturnedByHelpersBecomeRegions() {
        try (Arena arena = Arena.ofConfined()) {
            // a map header with 8-byte keys and 16-byte values, and a lookup that returns one value
            MemorySegment header = arena.allocate(RuntimeLinkage.MAP_HEADER_SIZE, 8);
            NativeMemory.put32(header.address() + RuntimeLinkage.MAP_KEY_SIZE, 8);
            NativeMemory.put32(header.address() + RuntimeLinkage.MAP_VALUE_SIZE, 16);
            MemorySegment value = arena.allocate(16, 8);
            runtime.helpers().register(HelperProto.of(HelperId.MAP_LOOKUP_ELEM, RetType.PTR_TO_MAP_VALUE_OR_NULL,
                    ArgType.CONST_MAP_PTR, ArgType.PTR_TO_MAP_KEY), (st, map, key, a, b, c) -> value.address());
            String prog = """
                    stdw [%r10-8], 0
                    lddw %r1, HEADER
                    mov %r2, %r10
                    add %r2, -8
                    call 1
                    stdw [%r0+OFF], 7
                    mov %r0, 0
                    exit
                    """.replace("HEADER", Long.toString(header.address()));
            RawRunOptions o = CHECKED.withRegion(new RawRunOptions.Region(header.address(), 32, false, "map header"));
            assertEquals(0, run(prog.replace("OFF", "8"), new byte[0], o));
            BpfException e = assertThrows(BpfException.class, () -> run(prog.replace("OFF", "16"), new byte[0], o));
            assertTrue(e.reason().startsWith("insn 6 (stdw [%r0+16], 7)"), e.reason());
            // the key argument must be initialised stack
            e = assertThrows(BpfException.class, () -> run(prog.replace("stdw [%r10-8], 0", "stw [%r10-8], 0").replace("OFF", "0"), new byte[0], o));
            assertTrue(e.reason().contains("bpf_map_lookup_elem argument 2") && e.reason().contains("uninitialised stack"), e.reason());
        }
    }

    @Test
    void theFastModeDoesNotCheck() {
        // the same program runs unchecked: the store to the uninitialised slot is just a store
        assertEquals(1, run("stw [%r10-8], 1\nldxw %r0, [%r10-8]\nexit", new byte[0], RawRunOptions.interpreter()));
        assertTrue(List.of(CHECKED.checked()).contains(true));
    }
}
