package org.bpfsdt.api.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.ObjdumpFormatter;

/**
 * The listing of {@code bpfsdt prog dump jited}: each BPF instruction (and the caller's
 * annotations, such as source lines) followed by the native instructions compiled from it,
 * with labels for the parts of the image that belong to no instruction (entries, stubs, data).
 * Native code is disassembled by {@code llvm-objdump} (given the code as a small ELF object with
 * the regions as symbols) where LLVM is installed; otherwise its bytes are shown. The system
 * property {@value #OBJDUMP_PROPERTY} names another {@code llvm-objdump} (a command or a path), or
 * {@code none} for bytes only.
 */
public final class JitListing {
    private JitListing() {
    }

    /**
     * A part of an image.
     *
     * @param offset where it starts
     * @param name   what it is, printed as a label ({@code <entry>:})
     * @param data   whether it holds data rather than instructions (shown as bytes)
     */
    public record Region(int offset, String name, boolean data) {
    }

    /** A disassembled native instruction. */
    public record NativeInsn(int offset, byte[] bytes, String text) {
    }

    /** The system property that names the {@code llvm-objdump} to use, or {@code none}. */
    public static final String OBJDUMP_PROPERTY = "bpfsdt.objdump";
    private static final List<String> LLVM_OBJDUMP = List.of("llvm-objdump-19", "llvm-objdump");
    /** {@code       10:      \tpush\trbp}: an instruction line of {@code llvm-objdump -d --no-show-raw-insn}. */
    private static final Pattern INSN_LINE = Pattern.compile("^\\s*([0-9a-f]+):\\s+(\\S.*)$");

    /**
     * Formats {@code image} beside {@code xlated}, the instructions it was compiled from.
     *
     * @param annotation text to print above a slot (a function name, a source line), or {@code null}
     * @param regions    labelled parts of the image, in any order; code before the first region is unlabelled code
     */
    public static String format(JitImage image, List<Insn> xlated, IntFunction<String> annotation, List<Region> regions) {
        byte[] code = image.code();
        int[] slots = image.slotOffsets();
        List<Region> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingInt(Region::offset));
        int codeEnd = code.length;
        List<ElfObject.Symbol> symbols = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            Region r = sorted.get(i);
            int end = i + 1 < sorted.size() ? sorted.get(i + 1).offset() : code.length;
            if (r.data()) {
                codeEnd = Math.min(codeEnd, r.offset());
            } else {
                symbols.add(new ElfObject.Symbol(r.name().replace(' ', '_'), r.offset(), end - r.offset()));
            }
        }
        // without a disassembler, rows of bytes that start where each BPF instruction's code and each region starts
        TreeSet<Integer> starts = new TreeSet<>();
        for (int off : slots) {
            starts.add(off);
        }
        sorted.forEach(r -> starts.add(r.offset()));
        List<NativeInsn> natives = mergePadding(disassemble(image.architecture(), code, codeEnd, symbols, starts));
        boolean disassembled = natives.stream().anyMatch(n -> !n.text().isEmpty());
        natives.addAll(bytes(code, codeEnd, code.length, 8));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("; %s code, %d bytes%s%s%n", image.architecture(), code.length,
                image.address() == 0 ? "" : String.format(" at 0x%x", image.address()),
                disassembled || codeEnd == 0 ? "" : " (bytes only: install llvm-objdump, or name one with -D" + OBJDUMP_PROPERTY + "=PATH)"));
        int pc = 0;
        int region = 0;
        for (NativeInsn n : natives) {
            while (region < sorted.size() && sorted.get(region).offset() <= n.offset()) {
                sb.append('<').append(sorted.get(region++).name()).append(">:\n");
            }
            while (pc < xlated.size() && slotStart(slots, pc) <= n.offset()) {
                pc = appendSlot(sb, xlated, slots, annotation, pc);
            }
            sb.append(n.text().isEmpty() ? String.format("%8x:\t%s%n", n.offset(), hex(n.bytes()))
                    : String.format("%8x:\t%-30s\t%s%n", n.offset(), hex(n.bytes()), n.text()));
        }
        while (pc < xlated.size()) {
            pc = appendSlot(sb, xlated, slots, annotation, pc);
        }
        return sb.toString();
    }

    /** Runs of {@code int3} (alignment padding no control flow reaches) as one line. */
    private static List<NativeInsn> mergePadding(List<NativeInsn> insns) {
        List<NativeInsn> out = new ArrayList<>(insns.size());
        for (int i = 0; i < insns.size(); i++) {
            NativeInsn n = insns.get(i);
            int j = i;
            while (n.text().equals("int3") && j + 1 < insns.size() && insns.get(j + 1).text().equals("int3")) {
                j++;
            }
            if (j > i) {
                byte[] b = new byte[j - i + 1];
                Arrays.fill(b, (byte) 0xcc);
                out.add(new NativeInsn(n.offset(), b, "int3 (padding)"));
                i = j;
            } else {
                out.add(n);
            }
        }
        return out;
    }

    private static int slotStart(int[] slots, int pc) {
        return pc < slots.length && slots[pc] >= 0 ? slots[pc] : Integer.MAX_VALUE;
    }

    private static int appendSlot(StringBuilder sb, List<Insn> xlated, int[] slots, IntFunction<String> annotation, int pc) {
        String note = annotation.apply(pc);
        if (note != null && !note.isEmpty()) {
            sb.append(note).append(note.endsWith("\n") ? "" : "\n");
        }
        sb.append(';').append(ObjdumpFormatter.line(xlated, pc)).append('\n');
        return pc + (xlated.get(pc).isLddw() ? 2 : 1);
    }

    /** {@code code[0, end)} as instructions, by {@code llvm-objdump} where it is installed, else as rows of bytes. */
    public static List<NativeInsn> disassemble(String architecture, byte[] code, int end) {
        return disassemble(architecture, code, end, List.of(), new TreeSet<>());
    }

    /** As {@link #disassemble(String, byte[], int)}; rows of bytes also break at {@code starts}. */
    private static List<NativeInsn> disassemble(String architecture, byte[] code, int end, List<ElfObject.Symbol> symbols,
                                                NavigableSet<Integer> starts) {
        if (end <= 0) {
            return List.of();
        }
        Optional<List<NativeInsn>> llvm = ElfObject.supports(architecture) ? objdump(architecture, Arrays.copyOf(code, end), symbols) : Optional.empty();
        return llvm.orElseGet(() -> bytes(code, 0, end, 8, starts));
    }

    private static List<NativeInsn> bytes(byte[] code, int from, int to, int perRow) {
        return bytes(code, from, to, perRow, new TreeSet<>());
    }

    /** Rows of at most {@code perRow} bytes, also broken at each of {@code starts}. */
    private static List<NativeInsn> bytes(byte[] code, int from, int to, int perRow, NavigableSet<Integer> starts) {
        List<NativeInsn> out = new ArrayList<>();
        for (int at = from; at < to; ) {
            Integer next = starts.higher(at);
            int end = Math.min(Math.min(to, at + perRow), next == null ? to : next);
            out.add(new NativeInsn(at, Arrays.copyOfRange(code, at, end), ""));
            at = end;
        }
        return out;
    }

    private static Optional<List<NativeInsn>> objdump(String architecture, byte[] code, List<ElfObject.Symbol> symbols) {
        List<String> tools = objdumpTools();
        if (tools.isEmpty()) {
            return Optional.empty();
        }
        Path file = null;
        try {
            file = Files.createTempFile("bpfsdt-jited-", ".o");
            Files.write(file, ElfObject.write(architecture, code, symbols));
            for (String tool : tools) {
                List<String> cmd = new ArrayList<>(List.of(tool, "-d", "--no-show-raw-insn", "--disassemble-zeroes"));
                if (architecture.equals("x86_64")) {
                    cmd.add("--x86-asm-syntax=intel");
                }
                cmd.add(file.toString());
                try {
                    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                        List<NativeInsn> insns = parse(out, code);
                        if (insns != null) {
                            return Optional.of(insns);
                        }
                    }
                } catch (IOException e) {
                    // not installed under this name: try the next
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    /** The llvm-objdump commands to try, in order: the one {@value #OBJDUMP_PROPERTY} names, else the usual names. */
    private static List<String> objdumpTools() {
        String chosen = System.getProperty(OBJDUMP_PROPERTY, "").strip();
        return chosen.isEmpty() ? LLVM_OBJDUMP : chosen.equals("none") ? List.of() : List.of(chosen);
    }

    /** The instructions objdump printed, with their bytes from the code; {@code null} unless they cover it all. */
    private static List<NativeInsn> parse(String out, byte[] code) {
        List<int[]> starts = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher m = INSN_LINE.matcher(line);
            if (m.matches()) {
                starts.add(new int[] {Integer.parseInt(m.group(1), 16)});
                texts.add(m.group(2).trim().replaceAll("\\s+", " "));
            }
        }
        if (starts.isEmpty() || starts.get(0)[0] != 0) {
            return null;
        }
        List<NativeInsn> insns = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            int at = starts.get(i)[0];
            int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : code.length;
            if (end <= at || end > code.length) {
                return null;
            }
            insns.add(new NativeInsn(at, Arrays.copyOfRange(code, at, end), texts.get(i)));
        }
        return insns;
    }

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
