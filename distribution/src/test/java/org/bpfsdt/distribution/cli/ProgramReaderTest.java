package org.bpfsdt.distribution.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.InsnCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgramReaderTest {
    static Path examples() {
        return Path.of(System.getProperty("bpfsdt.examples", "../examples"));
    }

    @TempDir
    Path dir;

    private final List<Insn> hello = read(examples().resolve("hello.asm"), null).insns();

    @Test
    void theExampleIsAssembly() {
        ProgramInput input = read(examples().resolve("hello.asm"), null);
        assertEquals(InputFormat.ASM, input.format());
        assertEquals(Assembler.assemble("mov %r0, 42\nexit").getFirst(), input.insns().getFirst());
        assertEquals(0, input.memory().length);
        assertTrue(input.expected().isEmpty());
    }

    @Test
    void rawSlotsHexWordsAndAssemblyGiveTheSameProgram() throws IOException {
        Path raw = Files.write(dir.resolve("hello.bin"), InsnCodec.encode(hello));
        Path hex = Files.writeString(dir.resolve("hello.hex"), words(hello));
        assertEquals(hello, read(raw, null).insns());
        assertEquals(InputFormat.RAW, read(raw, null).format());
        assertEquals(hello, read(hex, null).insns());
        assertEquals(InputFormat.HEX, read(hex, null).format());
    }

    @Test
    void withoutAKnownExtensionTheContentDecides() throws IOException {
        Path raw = Files.write(dir.resolve("prog"), InsnCodec.encode(hello));
        Path hex = Files.writeString(dir.resolve("prog.txt"), "# two words\n" + words(hello));
        Path asm = Files.writeString(dir.resolve("prog.src"), Files.readString(examples().resolve("hello.asm")));
        assertEquals(InputFormat.RAW, read(raw, null).format());
        assertEquals(InputFormat.HEX, read(hex, null).format());
        assertEquals(InputFormat.ASM, read(asm, null).format());
        assertEquals(hello, read(raw, null).insns());
        assertEquals(hello, read(hex, null).insns());
    }

    @Test
    void anExplicitFormatWins() throws IOException {
        Path asmNamedHex = Files.writeString(dir.resolve("odd.hex"), "mov %r0, 1\nexit\n");
        assertEquals(2, read(asmNamedHex, InputFormat.ASM).insns().size());
        BpfException e = assertThrows(BpfException.class, () -> ProgramReader.read(asmNamedHex, null));
        assertTrue(e.reason().contains("line 1"), e.reason());
    }

    @Test
    void anElfObjectIsNotABareProgram() throws IOException {
        Path elf = Files.write(dir.resolve("prog.o"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        BpfException e = assertThrows(BpfException.class, () -> ProgramReader.read(elf, null));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.reason().contains("ELF object"), e.reason());
    }

    @Test
    void badInputIsNamedPrecisely() throws IOException {
        Path truncated = Files.write(dir.resolve("short.bin"), new byte[12]);
        assertTrue(assertThrows(BpfException.class, () -> ProgramReader.read(truncated, null)).reason().contains("multiple of 8"));
        Path badAsm = Files.writeString(dir.resolve("bad.asm"), "mov %r0, 1\nfrobnicate %r1\nexit\n");
        assertTrue(assertThrows(BpfException.class, () -> ProgramReader.read(badAsm, null)).reason().contains("line 2"));
        Path badHex = Files.writeString(dir.resolve("bad.hex"), "0x00000000000000b7\nzz\n");
        assertTrue(assertThrows(BpfException.class, () -> ProgramReader.read(badHex, null)).reason().contains("line 2: 'zz'"));
        Path binaryAsAsm = Files.write(dir.resolve("bin.asm"), new byte[] {(byte) 0xb7, 0, 0, 0, 1, 0, 0, 0});
        assertTrue(assertThrows(BpfException.class, () -> ProgramReader.read(binaryAsAsm, null)).reason().contains("binary"));
    }

    @Test
    void memoryIsTypedAsHexBytes() {
        byte[] expected = {(byte) 0xaa, (byte) 0xbb, 0x11};
        assertArrayEquals(expected, HexText.bytes("aa bb 11"));
        assertArrayEquals(expected, HexText.bytes("aabb11"));
        assertArrayEquals(expected, HexText.bytes("0xaa,0xbb,0x11"));
        assertArrayEquals(expected, HexText.bytes("aa:bb:11"));
        assertArrayEquals(new byte[0], HexText.bytes(" "));
        assertTrue(assertThrows(BpfException.class, () -> HexText.bytes("aab")).reason().contains("'aab'"));
        assertTrue(assertThrows(BpfException.class, () -> HexText.bytes("aa gg")).reason().contains("'gg'"));
    }

    private static String words(List<Insn> insns) {
        return Arrays.stream(InsnCodec.encodeWords(insns)).mapToObj(w -> String.format("0x%016x", w))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static ProgramInput read(Path file, InputFormat format) {
        try {
            return ProgramReader.read(file, format);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
