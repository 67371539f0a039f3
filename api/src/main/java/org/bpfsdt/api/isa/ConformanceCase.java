package org.bpfsdt.api.isa;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.RawRunResult;

/**
 * One test of the BPF conformance suite (a {@code .data} file): the program, the memory it is
 * given, and the r0 it must return.
 *
 * <p>Sections start with a line {@code -- NAME}: {@code asm} (assembly, see {@link Assembler}),
 * {@code raw} (one 64-bit instruction word per line, {@code 0x...}), {@code mem} (hex bytes, the
 * memory whose address is in r1 and length in r2), {@code result} (the expected r0). The
 * {@code c} and {@code no register offset} sections are informational and ignored. Lines
 * starting with {@code #} before the first section are comments.
 *
 * @param name     the test's name (the file name without {@code .data})
 * @param insns    the program: the assembled {@code asm} section, or the {@code raw} words when there is no assembly
 * @param raw      the {@code raw} section's instructions, or empty when the file has none
 * @param mem      the memory given to the program (empty when none)
 * @param expected the expected r0 as a 64-bit value, or empty when the file states none
 */
public record ConformanceCase(String name, List<Insn> insns, List<Insn> raw, byte[] mem, OptionalLong expected) {

    public ConformanceCase {
        insns = List.copyOf(insns);
        raw = List.copyOf(raw);
        mem = mem.clone();
    }

    /** The suite's helper 5: the identity on r1 (uBPF's "unwind" helper, which the suite calls directly and by {@code callx}). */
    public static final int IDENTITY_HELPER = 5;

    /** The options the suite's programs run with on {@code engine} ({@code null}: the interpreter). */
    public static RawRunOptions options(String engine) {
        return RawRunOptions.on(engine).withHelper(IDENTITY_HELPER, (r1, r2, r3, r4, r5) -> r1);
    }

    /** Runs this test unverified on {@code runtime} with {@code options} (see {@link #options}). */
    public RawRunResult run(BpfRuntime runtime, RawRunOptions options) {
        return runtime.runUnverified(insns, mem, options);
    }

    /** Whether {@code r0} is the expected result (all 64 bits); true when the file states none. */
    public boolean passes(long r0) {
        return expected.isEmpty() || expected.getAsLong() == r0;
    }

    /** Reads a {@code .data} file; the name is the file name without its extension. */
    public static ConformanceCase read(Path file) {
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(".data") ? fileName.substring(0, fileName.length() - 5) : fileName;
        try {
            return parse(name, Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read conformance file " + file, e);
        }
    }

    /** Parses the text of a {@code .data} file; errors name the test, the line and the problem. */
    public static ConformanceCase parse(String name, String text) {
        String[] lines = text.split("\r?\n", -1);
        String section = null;
        boolean hasAsm = false;
        // one line per file line, blank outside the asm section: assembler errors then give file line numbers
        StringBuilder asm = new StringBuilder();
        List<Insn> raw = new ArrayList<>();
        StringBuilder mem = new StringBuilder();
        String result = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            boolean header = line.startsWith("--");
            if (header) {
                section = line.substring(2).trim().toLowerCase(Locale.ROOT);
                switch (section) {
                    case "asm" -> hasAsm = true;
                    case "raw", "mem", "result", "c", "no register offset" -> {
                    }
                    default -> throw error(name, i + 1, "unknown section '-- " + section + "'");
                }
            } else if (section != null) {
                switch (section) {
                    case "asm" -> asm.append(line);
                    case "raw" -> {
                        String word = stripComment(line);
                        if (!word.isEmpty()) {
                            raw.add(Insn.decode(parseWord(name, i + 1, word)));
                        }
                    }
                    case "mem" -> mem.append(stripComment(line)).append(' ');
                    case "result" -> {
                        String v = stripComment(line);
                        if (!v.isEmpty()) {
                            if (result != null) {
                                throw error(name, i + 1, "a second result value '" + v + "'");
                            }
                            result = v;
                        }
                    }
                    default -> {
                    }
                }
            }
            asm.append('\n');
        }
        List<Insn> insns;
        if (hasAsm) {
            try {
                insns = Assembler.assemble(asm.toString());
            } catch (BpfException e) {
                throw e.withContext(name);
            }
        } else if (!raw.isEmpty()) {
            insns = raw;
        } else {
            throw error(name, 0, "no '-- asm' or '-- raw' section");
        }
        OptionalLong expected = result == null ? OptionalLong.empty() : OptionalLong.of(parseWord(name, 0, result));
        return new ConformanceCase(name, insns, raw, parseHex(name, mem.toString()), expected);
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return (hash >= 0 ? line.substring(0, hash) : line).trim();
    }

    private static long parseWord(String name, int line, String s) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            return s.startsWith("-") ? Long.parseLong(s) : Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw error(name, line, "bad number '" + s + "'");
        }
    }

    private static byte[] parseHex(String name, String text) {
        String digits = text.replaceAll("\\s+", "");
        try {
            return HexFormat.of().parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw error(name, 0, "bad '-- mem' bytes: " + e.getMessage());
        }
    }

    private static BpfException error(String name, int line, String problem) {
        return BpfException.einval(name + (line > 0 ? ", line " + line : "") + ": " + problem);
    }
}
