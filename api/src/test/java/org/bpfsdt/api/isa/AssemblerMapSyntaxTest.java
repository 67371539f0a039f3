package org.bpfsdt.api.isa;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The assembler's forms for the kernel's pseudo LDDWs and raw slots, and their round trip through the disassembler. */
class AssemblerMapSyntaxTest {
    @Test
    void mapLoads() {
        List<Insn> p = Assembler.assemble("""
                lddw %r1, map[2]
                lddw %r2, map_value[1]+8
                lddw %r3, map_fd[17]
                lddw %r4, map_fd_value[17]+16
                exit
                """);
        assertEquals(Opcodes.PSEUDO_MAP_IDX, p.get(0).src());
        assertEquals(2, p.get(0).imm());
        assertEquals(Opcodes.PSEUDO_MAP_IDX_VALUE, p.get(2).src());
        assertEquals(8, p.get(3).imm());
        assertEquals(Opcodes.PSEUDO_MAP_FD, p.get(4).src());
        assertEquals(Opcodes.PSEUDO_MAP_VALUE, p.get(6).src());
        assertEquals(16, p.get(7).imm());
        assertEquals(p, Assembler.assemble(Disassembler.disassemble(p)));
    }

    @Test
    void functionAddress() {
        List<Insn> p = Assembler.assemble("""
                lddw %r2, func cb
                exit
                cb:
                mov %r0, 0
                exit
                """);
        assertEquals(Opcodes.PSEUDO_FUNC, p.get(0).src());
        assertEquals(2, p.get(0).imm(), "relative to the slot after the first one, as the kernel counts");
        assertEquals(p, Assembler.assemble(Disassembler.disassemble(p)));
    }

    @Test
    void rawSlots() {
        List<Insn> p = Assembler.assemble(".quad 0x00000000000000ff\nexit\n");
        assertEquals(0xff, p.get(0).opcode());
        assertEquals(p, Assembler.assemble(Disassembler.disassemble(p)));
    }

    @Test
    void mapPointerWithOffsetIsAnError() {
        assertThrows(org.bpfsdt.api.BpfException.class, () -> Assembler.assemble("lddw %r1, map[0]+8\nexit\n"));
    }
}
