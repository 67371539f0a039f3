package org.bpfsdt.loader.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfCDump;
import org.bpfsdt.api.btf.BtfKind;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.elf.ElfFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The BTF of real objects: every kind, kind_flag bitfields, and agreement with bpftool and clang. */
class BtfParserTest {

    static Path testprogs() {
        String root = System.getProperty("bpfsdt.root");
        return (root != null ? Path.of(root, "testprogs") : Path.of("..", "testprogs")).toAbsolutePath().normalize();
    }

    static List<Path> objects() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(testprogs())) {
            s.filter(p -> p.toString().endsWith(".o")).sorted().forEach(out::add);
        }
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("bpfsdt.shared", "../../shared"), "bench", "progs"))) {
            s.filter(p -> p.toString().endsWith(".o")).sorted().forEach(out::add);
        }
        return out;
    }

    /** The object's BTF, after the DATASEC fix-ups that need its ELF sections and symbols. */
    static Btf btf(Path obj) {
        return ObjectFile.open(obj).btf().orElseThrow();
    }

    @Test
    void rawDatasecsOfAnObjectFileAreIncompleteUntilFixedUp() throws IOException {
        Path obj = testprogs().resolve("global_data.o");
        ElfFile elf = ElfFile.parse(Files.readAllBytes(obj), "global_data.o");
        RawBtf raw = BtfParser.parse(elf.contents(elf.section(".BTF").orElseThrow(), Errno.EINVAL));
        BtfType.Datasec bss = raw.types().stream().filter(t -> t instanceof BtfType.Datasec d && d.name().equals(".bss"))
                .map(t -> (BtfType.Datasec) t).findFirst().orElseThrow();
        assertEquals(0, bss.size(), "clang leaves DATASEC sizes to the loader, as libbpf's btf_fixup_datasec knows");
        Btf fixed = btf(obj);
        BtfType.Datasec done = (BtfType.Datasec) fixed.type(fixed.find(BtfKind.DATASEC, ".bss").orElseThrow());
        assertEquals(16, done.size());
        assertEquals(List.of(0, 8, 12), done.vars().stream().map(BtfType.VarSecInfo::offset).toList());
    }

    @Test
    void everyKindWithItsDetails() throws IOException {
        Btf btf = btf(testprogs().resolve("btf_kinds.o"));
        for (BtfKind k : BtfKind.values()) {
            if (k != BtfKind.VOID) {
                assertTrue(!btf.idsOf(k).isEmpty(), "a " + k);
            }
        }
        BtfType.Struct bits = (BtfType.Struct) btf.type(btf.find(BtfKind.STRUCT, "bits").orElseThrow());
        assertEquals(List.of(0, 3, 8), bits.members().stream().map(BtfType.Member::bitOffset).toList(), "kind_flag offsets");
        assertEquals(List.of(3, 5, 24), bits.members().stream().map(BtfType.Member::bitfieldSize).toList(), "kind_flag sizes");
        BtfType.Enum small = (BtfType.Enum) btf.type(btf.find(BtfKind.ENUM, "small").orElseThrow());
        assertTrue(small.signed());
        assertEquals(-1, small.values().get(0).value());
        BtfType.Enum64 wide = (BtfType.Enum64) btf.type(btf.find(BtfKind.ENUM64, "wide").orElseThrow());
        assertEquals(0xffffffff00000000L, wide.values().get(0).value());
        assertTrue(btf.find(BtfKind.FWD, "opaque").isPresent());
        assertTrue(btf.idsOf(BtfKind.DECL_TAG).stream().map(btf::type).anyMatch(t -> t.name().equals("param_tag")
                && ((BtfType.DeclTag) t).componentIdx() == 1), "a tag on parameter 1");
        assertTrue(btf.idsOf(BtfKind.TYPE_TAG).stream().map(btf::type).anyMatch(t -> t.name().equals("user")));
        assertEquals(72, btf.sizeOf(btf.find(BtfKind.STRUCT, "kinds").orElseThrow()));
    }

    private static final Pattern BPFTOOL_LINE = Pattern.compile("^\\[(\\d+)\\] (\\w+) '([^']*)'");

    /** Kind and name of every type agree with {@code bpftool btf dump file}, which uses libbpf's parser. */
    @TestFactory
    Stream<DynamicTest> everyTypeAgreesWithBpftool() throws IOException {
        return objects().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            List<String> lines = run("bpftool", "btf", "dump", "file", p.toString());
            assumeTrue(lines != null, "bpftool is not installed: skipping the comparison with libbpf's parser");
            Btf btf = btf(p);
            int seen = 0;
            for (String line : lines) {
                Matcher m = BPFTOOL_LINE.matcher(line);
                if (m.find()) {
                    BtfType t = btf.type(Integer.parseInt(m.group(1)));
                    assertEquals(m.group(2), t.kind().name(), line);
                    assertEquals(m.group(3).equals("(anon)") ? "" : m.group(3), t.name(), line);
                    seen++;
                }
            }
            assertEquals(btf.size() - 1, seen);
        }));
    }

    /** The C dump of every object's BTF is C that clang accepts. */
    @TestFactory
    Stream<DynamicTest> cDumpCompiles() throws IOException {
        return objects().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            String c = BtfCDump.dump(btf(p));
            Path src = Files.createTempFile("btfdump", ".c");
            try {
                Files.writeString(src, c + "\nint main(void) { return 0; }\n");
                List<String> out = run("clang-19", "-fsyntax-only", "-Wno-everything", src.toString());
                assumeTrue(out != null, "clang-19 is not installed: skipping the compile check");
                assertTrue(out.isEmpty(), String.join("\n", out) + "\n" + c);
            } finally {
                Files.deleteIfExists(src);
            }
        }));
    }

    /** The command's output lines (stderr included), an empty list on success for silent commands, or null if it cannot run. */
    static List<String> run(String... cmd) throws IOException, InterruptedException {
        Process proc;
        try {
            proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        List<String> lines = new String(proc.getInputStream().readAllBytes()).lines().toList();
        return proc.waitFor() == 0 || !lines.isEmpty() ? lines : List.of("exit " + proc.exitValue());
    }
}
