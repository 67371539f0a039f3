package org.bpfsdt.jit.x86_64.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The encoder against golden encodings produced by {@code llvm-mc-19 -show-encoding} and committed
 * in {@code x86-golden.txt}, so the check needs no LLVM at run time. Where llvm-mc is installed
 * the golden file itself is checked against it. To regenerate after adding cases, run this test
 * with {@code -Dbpfsdt.regenerateGolden=true} (needs llvm-mc).
 */
class X86AssemblerGoldenTest {
    private static final String GOLDEN = "x86-golden.txt";
    private static final String LLVM_MC = "llvm-mc-19";
    private static final Pattern ENCODING = Pattern.compile("# encoding: \\[([^\\]]*)\\]");

    @Test
    void everyFormEncodesAsLlvmDoes() throws IOException {
        List<EncodingCases.Case> cases = EncodingCases.all();
        if (Boolean.getBoolean("bpfsdt.regenerateGolden")) {
            regenerate(cases);
        }
        Map<String, String> golden = readGolden();
        List<String> wrong = new ArrayList<>();
        for (EncodingCases.Case c : cases) {
            String expected = golden.get(c.asm());
            assertNotNull(expected, "no golden encoding for '" + c.asm() + "'; regenerate with -Dbpfsdt.regenerateGolden=true");
            String actual = hex(encode(c));
            if (!expected.equals(actual)) {
                wrong.add(c.asm() + ": expected " + expected + ", encoded " + actual);
            }
        }
        assertEquals(List.of(), wrong.subList(0, Math.min(20, wrong.size())), wrong.size() + " forms differ");
    }

    @Test
    void goldenFileIsWhatLlvmSays() throws Exception {
        Assumptions.assumeTrue(llvmMcPresent(), LLVM_MC + " is not installed; the committed golden encodings are used as they are");
        List<EncodingCases.Case> cases = EncodingCases.all();
        List<String> llvm = llvmEncodings(cases.stream().map(EncodingCases.Case::asm).toList());
        Map<String, String> golden = readGolden();
        for (int i = 0; i < cases.size(); i++) {
            assertEquals(llvm.get(i), golden.get(cases.get(i).asm()), cases.get(i).asm());
        }
    }

    private static byte[] encode(EncodingCases.Case c) {
        X86Assembler a = new X86Assembler();
        c.emit().accept(a);
        return a.toByteArray();
    }

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    private static Map<String, String> readGolden() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = X86AssemblerGoldenTest.class.getResourceAsStream(GOLDEN)) {
            assertNotNull(in, GOLDEN + " is missing; generate it with -Dbpfsdt.regenerateGolden=true");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null;) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    out.put(line.substring(0, tab), line.substring(tab + 1));
                }
            }
        }
        return out;
    }

    private static void regenerate(List<EncodingCases.Case> cases) throws IOException {
        Assumptions.assumeTrue(llvmMcPresent(), "regenerating the golden encodings needs " + LLVM_MC);
        List<String> texts = cases.stream().map(EncodingCases.Case::asm).distinct().toList();
        List<String> enc = llvmEncodings(texts);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            sb.append(texts.get(i)).append('\t').append(enc.get(i)).append('\n');
        }
        Path file = Path.of("src/test/resources/org/bpfsdt/jit/x86_64/asm").resolve(GOLDEN);
        Files.writeString(file, sb.toString());
        throw new IllegalStateException("regenerated " + file.toAbsolutePath() + " (" + texts.size() + " forms); run again without the property");
    }

    private static boolean llvmMcPresent() {
        try {
            Process p = new ProcessBuilder(LLVM_MC, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Assembles {@code lines} in one llvm-mc run; the encodings come back in order. */
    private static List<String> llvmEncodings(List<String> lines) throws IOException {
        Process p = new ProcessBuilder(LLVM_MC, "-triple=x86_64", "-show-encoding", "-output-asm-variant=1").redirectErrorStream(true).start();
        Thread writer = new Thread(() -> {
            try (var out = p.getOutputStream()) {
                out.write((".intel_syntax noprefix\n" + String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        Matcher m = ENCODING.matcher(output);
        while (m.find()) {
            StringBuilder hex = new StringBuilder();
            for (String b : m.group(1).split(",")) {
                hex.append(hex.isEmpty() ? "" : " ").append(b.trim().substring(2));
            }
            out.add(hex.toString());
        }
        if (out.size() != lines.size()) {
            throw new IllegalStateException("llvm-mc gave " + out.size() + " encodings for " + lines.size() + " lines:\n"
                    + output.lines().filter(l -> l.contains("error")).limit(10).reduce("", (x, y) -> x + y + "\n"));
        }
        return out;
    }
}
