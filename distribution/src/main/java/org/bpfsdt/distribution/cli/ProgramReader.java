package org.bpfsdt.distribution.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.ConformanceCase;
import org.bpfsdt.api.isa.InsnCodec;

/**
 * Reads a program file in any {@link InputFormat}: the one asked for, else the one its extension
 * names, else the one its content shows (binary is raw slots; text with {@code -- asm} headers is
 * a conformance file; text of nothing but 64-bit hex words is hex; other text is assembly).
 */
final class ProgramReader {
    private static final Pattern DATA_SECTION = Pattern.compile("(?m)^--\\s*(asm|raw|result|mem)\\s*$");

    private ProgramReader() {
    }

    static ProgramInput read(Path file, InputFormat requested) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String name = file.getFileName().toString();
        if (isElf(bytes)) {
            throw BpfException.einval(name + " is an ELF object file; 'run' takes assembly, raw instruction slots, "
                    + "hex instruction words or a conformance .data file");
        }
        Optional<String> text = text(bytes);
        InputFormat format = requested != null ? requested
                : InputFormat.byExtension(name).orElseGet(() -> sniff(text));
        return switch (format) {
            case RAW -> ProgramInput.of(format, InsnCodec.decode(bytes));
            case ASM -> ProgramInput.of(format, Assembler.assemble(requireText(name, text, format)));
            case HEX -> ProgramInput.of(format, InsnCodec.decode(HexText.words(requireText(name, text, format))));
            case DATA -> {
                ConformanceCase c = ConformanceCase.parse(name, requireText(name, text, format));
                yield new ProgramInput(format, c.insns(), c.mem(), c.expected());
            }
        };
    }

    private static InputFormat sniff(Optional<String> text) {
        if (text.isEmpty()) {
            return InputFormat.RAW;
        }
        String t = text.get();
        if (DATA_SECTION.matcher(t).find()) {
            return InputFormat.DATA;
        }
        return HexText.isWords(t) ? InputFormat.HEX : InputFormat.ASM;
    }

    private static String requireText(String name, Optional<String> text, InputFormat format) {
        return text.orElseThrow(() -> BpfException.einval(name + " is binary, not " + format.name().toLowerCase(Locale.ROOT) + " text"));
    }

    private static boolean isElf(byte[] b) {
        return b.length >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
    }

    /** The content as text when it is UTF-8 without control characters other than white space. */
    private static Optional<String> text(byte[] bytes) {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') {
                return Optional.empty();
            }
        }
        return Optional.of(s);
    }
}
