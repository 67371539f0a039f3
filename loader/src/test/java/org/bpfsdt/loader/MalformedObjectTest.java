package org.bpfsdt.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.loader.elf.ElfSection;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Malformed objects: each corruption gets a {@link BpfException} whose reason names the file
 * and the place, nothing else escapes, and a fuzzing pass over mutated real objects shows that
 * whatever opens also loads and closes without leaving a handle open.
 */
class MalformedObjectTest {

    private static BpfException refused(byte[] bytes, String name) {
        return assertThrows(BpfException.class, () -> ObjectFile.open(bytes, name));
    }

    private static void assertRefused(ObjectBytes o, Errno errno, String... fragments) {
        BpfException e = refused(o.bytes, "map_array.o");
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.reason().startsWith("map_array.o"), e.reason());
        for (String f : fragments) {
            assertTrue(e.reason().contains(f), "'" + f + "' in: " + e.reason());
        }
    }

    private static ObjectBytes obj() {
        return new ObjectBytes("map_array.o");
    }

    @Test
    void truncatedAndForeignFiles() {
        assertTrue(refused(new byte[0], "empty.o").reason().contains("too short for an ELF header"));
        assertTrue(refused(Arrays.copyOf(obj().bytes, 40), "map_array.o").reason().contains("too short"));
        assertRefused(obj().u8(0, 0x7e), Errno.ENOEXEC, "not an ELF file");
        assertRefused(obj().u8(4, 1), Errno.ENOEXEC, "not a 64-bit ELF file");
        assertRefused(obj().u8(5, 2), Errno.ENOEXEC, "not a little-endian ELF file");
        assertRefused(obj().u16(18, 62), Errno.ENOEXEC, "e_machine 62, expected EM_BPF 247");
        assertRefused(obj().u16(16, 2), Errno.ENOEXEC, "not a relocatable object");
        byte[] b = obj().bytes;
        assertTrue(refused(Arrays.copyOf(b, b.length / 2), "map_array.o").reason().startsWith("map_array.o"));
    }

    @Test
    void sectionHeaderTableOutOfRangeOrHuge() {
        ObjectBytes o = obj();
        assertRefused(o.u64(40, o.bytes.length + 64L), Errno.ENOEXEC, "section header 0");
        ObjectBytes huge = obj();
        huge.u16(60, 0).u64(huge.sectionHeader(0) + 32, Long.MAX_VALUE); // extended numbering: count in section 0
        assertRefused(huge, Errno.ENOEXEC, "does not fit in the file");
        ObjectBytes strndx = obj();
        assertRefused(strndx.u16(62, 999), Errno.ENOEXEC, "section name table index 999");
    }

    @Test
    void sectionContentsOutOfRangeOverlappingOrMisaligned() {
        ObjectBytes o = obj();
        ElfSection btf = o.section(".BTF");
        assertRefused(o.u64(o.sectionHeader(btf.index()) + 24, o.bytes.length + 100L), Errno.ENOEXEC,
                "section '.BTF'", "extend past the end of the file");
        ObjectBytes big = obj();
        assertRefused(big.u64(big.sectionHeader(btf.index()) + 32, Long.MAX_VALUE), Errno.ENOEXEC, "section '.BTF'");
        ObjectBytes overlap = obj();
        ElfSection xdp = overlap.section("xdp");
        assertRefused(overlap.u64(overlap.sectionHeader(btf.index()) + 24, xdp.offset()), Errno.ENOEXEC, "overlaps");
        ObjectBytes misaligned = obj();
        assertRefused(misaligned.u64(misaligned.sectionHeader(xdp.index()) + 24, xdp.offset() + 4), Errno.ENOEXEC,
                "section 'xdp'", "not aligned to 8 bytes");
        ObjectBytes badAlign = obj();
        assertRefused(badAlign.u64(badAlign.sectionHeader(xdp.index()) + 48, 3), Errno.ENOEXEC, "alignment 3 is not a power of two");
        ObjectBytes name = obj();
        assertRefused(name.u32(name.sectionHeader(xdp.index()), 0x7fffffff), Errno.ENOEXEC, "name of section", "outside the string table");
    }

    @Test
    void badSymbolsAndRelocations() {
        ObjectBytes o = obj();
        ElfSection symtab = o.section(".symtab");
        long sym1 = symtab.offset() + 24;
        assertRefused(o.u16(sym1 + 6, 999), Errno.ENOEXEC, "symbol 1", "section 999, which does not exist");
        ObjectBytes name = obj();
        assertRefused(name.u32(sym1, 0x7fffffff), Errno.ENOEXEC, "name of symbol 1", "outside the string table");

        ObjectBytes relo = obj();
        ElfSection rel = relo.section(".relxdp");
        assertRefused(relo.u32(rel.offset() + 12, 9999), Errno.ENOEXEC, "section '.relxdp'", "symbol 9999, which does not exist");
        ObjectBytes off = obj();
        assertRefused(off.u64(rel.offset(), 1 << 20), Errno.ENOEXEC, "lies outside section 'xdp'");
        ObjectBytes unaligned = obj();
        assertRefused(unaligned.u64(rel.offset(), unaligned.u32(rel.offset()) + 4), Errno.EINVAL, "not on an instruction boundary");
        ObjectBytes type = obj();
        assertRefused(type.u32(rel.offset() + 8, 10), Errno.EINVAL, "an LDDW needs R_BPF_64_64, not R_BPF_64_32");
        ObjectBytes entsize = obj();
        assertRefused(entsize.u64(entsize.sectionHeader(rel.index()) + 56, 24), Errno.ENOEXEC, "16-byte relocations");
    }

    @Test
    void badBtf() {
        ObjectBytes o = obj();
        assertRefused(o.u32(o.btfType(1), 0x00ffffff), Errno.EINVAL, "section '.BTF'", "type [1]", "outside the string table");

        ObjectBytes loop = obj();
        int td = loop.firstBtfTypeOfKind(8);
        assertRefused(loop.u32(loop.btfType(td) + 8, td), Errno.EINVAL, "contains itself by value", "TYPEDEF");

        ObjectBytes structLoop = obj();
        int st = structLoop.firstBtfTypeOfKind(4);
        assertRefused(structLoop.u32(structLoop.btfType(st) + 12 + 4, st), Errno.EINVAL, "contains itself by value", "STRUCT");

        ObjectBytes dangling = obj();
        int ptr = dangling.firstBtfTypeOfKind(2);
        assertRefused(dangling.u32(dangling.btfType(ptr) + 8, 99999), Errno.EINVAL, "type [" + ptr + "] PTR",
                "type id 99999, which does not exist");

        ObjectBytes vlen = obj();
        int st2 = vlen.firstBtfTypeOfKind(4);
        long at = vlen.btfType(st2) + 4;
        assertRefused(vlen.u32(at, (vlen.u32(at) & 0xffff0000) | 0xffff), Errno.EINVAL, "65535 entries need");

        ObjectBytes kind = obj();
        assertRefused(kind.u32(kind.btfType(1) + 4, 31 << 24), Errno.EINVAL, "unknown kind 31");

        ObjectBytes hdr = obj();
        long base = hdr.section(".BTF").offset();
        assertRefused(hdr.u32(base + 20, 0x7fffffff), Errno.EINVAL, "BTF string section");
        ObjectBytes magic = obj();
        assertRefused(magic.u16(base, 0x1234), Errno.EINVAL, "bad BTF magic");
    }

    @Test
    void badBtfExt() {
        ObjectBytes o = obj();
        long base = o.section(".BTF.ext").offset();
        long funcInfo = base + o.u32(base + 4) + o.u32(base + 8);
        assertRefused(o.u32(funcInfo, 3), Errno.EINVAL, "section '.BTF.ext'", "func_info record size 3 is invalid");
        ObjectBytes count = obj();
        assertRefused(count.u32(funcInfo + 8, 0x7fffffff), Errno.EINVAL, "2147483647 records");
        ObjectBytes type = obj();
        assertRefused(type.u32(funcInfo + 16, 1), Errno.EINVAL, "is not a FUNC");
        ObjectBytes len = obj();
        assertRefused(len.u32(base + 12, 0x7fffffff), Errno.EINVAL, "lies outside");
    }

    /** Objects clang compiles but libbpf (and so the loader) refuses; each source's first line says why. */
    @TestFactory
    Stream<DynamicTest> objectsTheLoaderRefuses() {
        return TestObjects.objectsIn(TestObjects.testprogs().resolve("malformed")).stream()
                .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
                    String expected = expectedError(p);
                    BpfException e = assertThrows(BpfException.class, () -> {
                        ObjectFile obj = ObjectFile.open(p);
                        obj.programs().forEach(ObjectProgram::instructions);
                    });
                    for (String part : expected.split("\\.\\.\\.")) {
                        assertTrue(e.reason().contains(part.trim()), "'" + part.trim() + "' in: " + e.reason());
                    }
                }));
    }

    private static String expectedError(Path obj) throws IOException {
        String first = Files.readAllLines(Path.of(obj.toString().replaceAll("\\.o$", ".c"))).get(0);
        return first.substring(first.indexOf(':') + 1).trim();
    }

    // ---- fuzzing ----

    private static final List<String> FUZZ_OBJECTS = List.of("map_array.o", "global_data.o", "subprogs.o", "tail_call.o",
            "core_ctx.o", "helpers_misc.o", "btf_kinds.o", "multi_prog.o");
    private static final long[] INTERESTING = {0, 1, 7, 8, 0xff, 0xffff, 0x7fffffff, 0xffffffffL, 0x80000000L, -1L, Long.MAX_VALUE};

    /**
     * Mutated real objects (bit flips, truncation, interesting values written over header,
     * section table, symbol, relocation and BTF words) either open, link and load, then close
     * with nothing left open, or fail with a BpfException naming the file. Deterministic seeds.
     */
    @Test
    void mutatedObjectsFailCleanlyOrLoadAndCloseCompletely() {
        int iterations = Integer.getInteger("bpfsdt.fuzz.iterations", 10_000);
        int opened = 0, loaded = 0;
        for (int i = 0; i < iterations; i++) {
            String name = FUZZ_OBJECTS.get(i % FUZZ_OBJECTS.size());
            ObjectBytes o = new ObjectBytes(name);
            Random rnd = new Random(i);
            byte[] bytes = mutate(o, rnd);
            RecordingRuntime rt = new RecordingRuntime();
            try {
                ObjectFile obj = ObjectFile.open(bytes, name);
                opened++;
                obj.report();
                obj.programs().stream().filter(p -> p.type() == null).forEach(p -> p.setType(ProgramType.XDP));
                try (LoadedObject lo = obj.load(rt)) {
                    lo.globals().forEach(GlobalVariable::bytes);
                    loaded++;
                }
            } catch (BpfException e) {
                if (!e.reason().startsWith(name)) {
                    fail("seed " + i + " (" + name + "): reason does not name the file: " + e.reason(), e);
                }
            } catch (RuntimeException | Error e) {
                fail("seed " + i + " (" + name + "): " + e, e);
            }
            assertEquals(0, rt.openHandles(), "seed " + i + ": handles left open");
        }
        assertTrue(opened > iterations / 20, "some mutations still open: " + opened);
        assertTrue(loaded > 0, "some mutated objects load: " + loaded);
    }

    private static byte[] mutate(ObjectBytes o, Random rnd) {
        byte[] b = o.bytes;
        int kind = rnd.nextInt(5);
        switch (kind) {
            case 0 -> { // bit flips anywhere
                for (int n = 1 + rnd.nextInt(8); n > 0; n--) {
                    int at = rnd.nextInt(b.length);
                    b[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
            default -> { // an interesting value over a structural word
                long at = structuralOffset(o, rnd, kind);
                long v = INTERESTING[rnd.nextInt(INTERESTING.length)];
                Consumer<ObjectBytes> write = rnd.nextBoolean() || at + 8 > b.length ? x -> x.u32(at, v) : x -> x.u64(at, v);
                if (at + 4 <= b.length) {
                    write.accept(o);
                }
            }
        }
        return b;
    }

    /** A 4-byte aligned offset inside the ELF header and section table (2), symbols and relocations (3), or BTF/BTF.ext (4). */
    private static long structuralOffset(ObjectBytes o, Random rnd, int kind) {
        return switch (kind) {
            case 2 -> rnd.nextBoolean() ? 4L * rnd.nextInt(16)
                    : o.sectionHeader(rnd.nextInt(o.elf.sections().size())) + 4L * rnd.nextInt(16);
            case 3 -> {
                List<ElfSection> secs = o.elf.sections().stream()
                        .filter(s -> s.type() == ElfSection.SHT_SYMTAB || s.type() == ElfSection.SHT_REL).toList();
                ElfSection s = secs.get(rnd.nextInt(secs.size()));
                yield s.offset() + 4L * rnd.nextInt((int) Math.max(1, s.size() / 4));
            }
            default -> {
                ElfSection s = o.section(rnd.nextBoolean() ? ".BTF" : ".BTF.ext");
                yield s.offset() + 4L * rnd.nextInt((int) Math.max(1, s.size() / 4));
            }
        };
    }
}
