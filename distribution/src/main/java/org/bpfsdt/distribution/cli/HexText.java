package org.bpfsdt.distribution.cli;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import org.bpfsdt.api.BpfException;

/** Hex as people type it: byte strings for memory, 64-bit words for instructions. */
final class HexText {
    private static final Pattern SEPARATORS = Pattern.compile("[\\s,:]+");
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");

    private HexText() {
    }

    /**
     * Bytes in order from {@code aa bb 11}, {@code aabb11}, {@code 0xaa,0xbb} or {@code aa:bb:11};
     * each token is a whole number of bytes.
     */
    static byte[] bytes(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String token : SEPARATORS.split(text.strip())) {
            if (token.isEmpty()) {
                continue;
            }
            String digits = digits(token);
            if (!HEX.matcher(digits).matches() || digits.length() % 2 != 0) {
                throw BpfException.einval("'" + token + "' is not hex bytes (write bytes as two hex digits each, e.g. 'aa bb 11')");
            }
            out.writeBytes(HexFormat.of().parseHex(digits));
        }
        return out.toByteArray();
    }

    /** Whether every token of {@code text} (outside {@code #} comments) is a 64-bit hex word. */
    static boolean isWords(String text) {
        boolean any = false;
        for (String line : text.split("\r?\n")) {
            for (String token : tokens(line)) {
                if (!isWord(token)) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    /** The 64-bit words of {@code text}: {@code 0x} and up to 16 digits, or exactly 16 digits; errors name the line. */
    static long[] words(String text) {
        String[] lines = text.split("\r?\n");
        List<Long> words = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            for (String token : tokens(lines[i])) {
                if (!isWord(token)) {
                    throw BpfException.einval("line " + (i + 1) + ": '" + token + "' is not a 64-bit hex word (e.g. 0x0000002a000000b7)");
                }
                words.add(Long.parseUnsignedLong(digits(token), 16));
            }
        }
        return words.stream().mapToLong(Long::longValue).toArray();
    }

    private static List<String> tokens(String line) {
        int hash = line.indexOf('#');
        String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
        return text.isEmpty() ? List.of() : List.of(SEPARATORS.split(text));
    }

    private static boolean isWord(String token) {
        String digits = digits(token);
        boolean prefixed = digits.length() != token.length();
        return HEX.matcher(digits).matches() && (prefixed ? digits.length() <= 16 : digits.length() == 16);
    }

    private static String digits(String token) {
        return token.startsWith("0x") || token.startsWith("0X") ? token.substring(2) : token;
    }
}
