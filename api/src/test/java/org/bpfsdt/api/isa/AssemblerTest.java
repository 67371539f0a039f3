package org.bpfsdt.api.isa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class AssemblerTest {

    static Path conformanceDir() {
        return Path.of(System.getProperty("bpfsdt.shared", "../../shared")).resolve("conformance");
    }

    /** Every conformance program assembles, validates, and survives disassembly and reassembly unchanged. */
    @TestFactory
    Stream<DynamicTest> conformanceProgramsRoundTrip() throws IOException {
        try (Stream<Path> files = Files.list(conformanceDir())) {
            return files.filter(p -> p.toString().endsWith(".data")).sorted().toList().stream()
                    .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
                        List<Insn> insns = ConformanceCase.read(p).insns();
                        InsnValidator.validate(insns);
                        assertEquals(insns, Assembler.assemble(Disassembler.disassemble(insns)));
                        assertEquals(insns, InsnCodec.decode(InsnCodec.encode(insns)));
                        assertTrue(ObjdumpFormatter.format(insns).lines().count() > 0);
                    }));
        }
    }

    @Test
    void rawSectionMatchesAssembly() throws IOException {
        ConformanceCase c = ConformanceCase.read(conformanceDir().resolve("lddw.data"));
        assertEquals(3, c.raw().size());
        assertEquals(c.raw(), c.insns());
        assertEquals(0x1122334455667788L, c.expected().orElseThrow());
    }

    @Test
    void conformanceCaseReadsMemoryAndResult() {
        ConformanceCase c = ConformanceCase.parse("t", """
                # comment
                -- asm
                mov %r0, %r2
                exit
                -- mem
                00 01
                ff 10
                -- no register offset
                -- result
                0xffffffffffffffff
                """);
        assertEquals(List.of(Insn.mov64Reg(0, 2), Insn.exit()), c.insns());
        assertArrayEquals(new byte[] {0, 1, (byte) 0xff, 0x10}, c.mem());
        assertEquals(-1L, c.expected().orElseThrow());
        BpfException e = assertThrows(BpfException.class, () -> ConformanceCase.parse("bad", "-- asm\nmov %r0, 1\nfrob\n-- result\n0x1\n"));
        assertEquals("bad: line 3: unknown mnemonic 'frob'", e.reason());
    }

    @Test
    void errorsNameTheLine() {
        BpfException e = assertThrows(BpfException.class, () -> Assembler.assemble("mov %r0, 1\nfrob %r1\nexit"));
        assertEquals("line 2: unknown mnemonic 'frob'", e.reason());
        e = assertThrows(BpfException.class, () -> Assembler.assemble("mov %r11, 1\nexit"));
        assertTrue(e.reason().startsWith("line 1: bad register"), e.reason());
        e = assertThrows(BpfException.class, () -> Assembler.assemble("ja nowhere\nexit"));
        assertEquals("line 1: unknown label 'nowhere'", e.reason());
    }

    @Test
    void objdumpMatchesLlvmSyntax() {
        List<Insn> insns = Assembler.assemble("""
                ldxw %r8, [%r6+4]
                stw [%r10-4], 1
                lock fetch add [%r0+0], %r1
                jgt %r1, 100, +13
                sdiv32 %r0, 3
                bswap32 %r0
                exit
                """);
        String text = ObjdumpFormatter.format(insns);
        assertTrue(text.contains("r8 = *(u32 *)(r6 + 0x4)"), text);
        assertTrue(text.contains("*(u32 *)(r10 - 0x4) = 0x1"), text);
        assertTrue(text.contains("r1 = atomic_fetch_add((u64 *)(r0 + 0x0), r1)"), text);
        assertTrue(text.contains("if r1 > 0x64 goto +0xd"), text);
        assertTrue(text.contains("w0 s/= 0x3"), text);
        assertTrue(text.contains("r0 = bswap32 r0"), text);
        assertTrue(text.contains("       0:\t61 68 04 00 00 00 00 00\t"), text);
    }

    @Test
    void validatorNamesTheInstruction() {
        assertEquals("the program is empty", assertThrows(BpfException.class, () -> InsnValidator.validate(List.of())).reason());
        BpfException e = assertThrows(BpfException.class, () -> InsnValidator.validate(List.of(new Insn(0xff, 0, 0, 0, 0), Insn.exit())));
        assertTrue(e.reason().startsWith("insn 0 ") && e.reason().contains("unknown opcode 0xff"), e.reason());
        e = assertThrows(BpfException.class, () -> InsnValidator.validate(List.of(Insn.ja(5), Insn.exit())));
        assertTrue(e.reason().contains("outside the program"), e.reason());
        e = assertThrows(BpfException.class, () -> InsnValidator.validate(List.of(Insn.mov64Imm(0, 1), new Insn(Opcodes.LDDW, 0, 0, 0, 1))));
        assertTrue(e.reason().contains("truncated LDDW"), e.reason());
        e = assertThrows(BpfException.class, () -> InsnValidator.validate(List.of(Insn.mov64Imm(0, 1), Insn.ja(-2))));
        assertTrue(e.reason().contains("no exit"), e.reason());
    }
}
