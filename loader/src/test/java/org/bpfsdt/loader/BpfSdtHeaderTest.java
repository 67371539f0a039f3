package org.bpfsdt.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.loader.elf.ByteView;
import org.bpfsdt.loader.elf.ElfFile;
import org.bpfsdt.loader.elf.ElfRelocation;
import org.bpfsdt.loader.elf.ElfSection;
import org.bpfsdt.loader.elf.ElfSymbol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code include/bpf_sdt.h} compiled by clang: every probe arity gives exactly the layout of
 * ARCHITECTURE.md §5, and a wrong argument type or an argument wider than 8 bytes stops the
 * compilation with a message naming the probe and the argument. Skipped without clang-19.
 */
class BpfSdtHeaderTest {
    private static final String CLANG = "clang-19";

    @TempDir
    Path dir;

    private record Compiled(int exit, String output, Path object) {
    }

    private Compiled compile(String source) throws IOException, InterruptedException {
        Path header = TestObjects.testprogs().resolveSibling("include");
        Path src = dir.resolve("probe.c");
        Files.writeString(src, source);
        Path obj = dir.resolve("probe.o");
        Process p;
        try {
            p = new ProcessBuilder(CLANG, "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-I" + header,
                    "-c", src.toString(), "-o", obj.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, CLANG + " is not installed: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "clang finished");
        return new Compiled(p.exitValue(), out, obj);
    }

    private static final String PRELUDE = """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            #include "bpf_sdt.h"
            """;

    /** One probe of each arity 0..5, each argument in a register of its own. */
    private static String everyArity() {
        StringBuilder sb = new StringBuilder(PRELUDE);
        String[] types = {"char", "short", "int", "long", "unsigned int", "void *"};
        for (int n = 0; n <= 5; n++) {
            sb.append("BPF_SDT_DECLARE").append(n).append("(p").append(n);
            for (int k = 0; k < n; k++) {
                sb.append(", ").append(types[k]);
            }
            sb.append(");\n");
        }
        sb.append("SEC(\"xdp\") int prog(struct xdp_md *ctx) {\n");
        sb.append("  char a = ctx->data; short b = ctx->data_end; int c = ctx->data_meta; long d = ctx->ingress_ifindex;\n");
        sb.append("  unsigned int e = ctx->rx_queue_index;\n");
        String[] args = {"a", "b", "c", "d", "e"};
        for (int n = 0; n <= 5; n++) {
            sb.append("  BPF_SDT_PROBE").append(n).append("(p").append(n);
            for (int k = 0; k < n; k++) {
                sb.append(", ").append(args[k]);
            }
            sb.append(");\n");
        }
        return sb.append("  return a + b + c + d + e;\n}\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n").toString();
    }

    @Test
    void everyArityGivesTheLayoutOfTheDesign() throws Exception {
        Compiled c = compile(everyArity());
        assertEquals(0, c.exit(), c.output());
        byte[] bytes = Files.readAllBytes(c.object());
        ElfFile elf = ElfFile.parse(bytes, "probe.o");
        ElfSection notes = elf.section(".bpf_sdt_notes").orElseThrow();
        ElfSection code = elf.section("xdp").orElseThrow();
        ByteView noteBytes = elf.contents(notes, Errno.EINVAL);
        ByteView codeBytes = elf.contents(code, Errno.EINVAL);
        assertEquals(ElfSection.SHT_PROGBITS, notes.type());
        assertEquals(0, notes.flags() & (ElfSection.SHF_ALLOC | ElfSection.SHF_EXECINSTR), "not loaded, not code");
        assertEquals(8L * (6 + 15), notes.size(), "per probe: an offset word, then a mov per argument");

        List<Long> nops = new ArrayList<>();
        for (int n = 0; n <= 5; n++) {
            String label = "___sdt_jt_p" + n;
            ElfSymbol sym = elf.symbols().stream().filter(s -> s.name().equals(label)).findFirst().orElseThrow(() -> new AssertionError(label));
            assertEquals(notes.index(), sym.shndx(), label + " in the notes");
            long at = sym.value();
            assertEquals(8L * (n + n * (n - 1) / 2), at, label + " entries follow each other");
            ElfRelocation r = elf.relocations(notes.index()).stream().filter(x -> x.offset() == at).findFirst().orElseThrow();
            assertEquals(ElfRelocation.R_BPF_64_ABS64, r.type());
            assertEquals(code.index(), r.symbol().shndx(), "relative to the code section");
            long nop = r.symbol().value() + noteBytes.s64(at);
            assertEquals(Insn.ja(0), Insn.decode(codeBytes.s64(nop)), "the offset word names a goto +0");
            nops.add(nop);
            int[] srcs = new int[n];
            for (int k = 0; k < n; k++) {
                Insn mov = Insn.decode(noteBytes.s64(at + 8 + 8L * k));
                assertEquals(Opcodes.ALU64 | Opcodes.MOV | Opcodes.X, mov.opcode());
                assertEquals(k + 1, mov.dst(), "argument " + k + " recorded as r" + (k + 1));
                srcs[k] = mov.src();
            }
            assertEquals(n, java.util.Arrays.stream(srcs).distinct().count(), "each argument in its own register");
        }
        assertEquals(6, nops.stream().distinct().count(), "one NOP per probe");

        Btf btf = ObjectFile.open(bytes, "probe.o").btf().orElseThrow();
        for (int n = 0; n <= 5; n++) {
            String tag = "bpf_sdt:p" + n + ":" + n;
            BtfType.DeclTag t = btf.types().stream().filter(x -> x instanceof BtfType.DeclTag d && d.name().equals(tag))
                    .map(x -> (BtfType.DeclTag) x).findFirst().orElseThrow(() -> new AssertionError(tag));
            assertEquals(-1, t.componentIdx());
            BtfType.Var v = (BtfType.Var) btf.type(t.type());
            assertEquals("__sdt_type_p" + n, v.name());
            BtfType.Const cst = (BtfType.Const) btf.type(v.type());
            BtfType.Ptr ptr = (BtfType.Ptr) btf.type(cst.type());
            BtfType.FuncProto proto = (BtfType.FuncProto) btf.type(ptr.type());
            assertEquals(0, proto.returnType(), "void");
            assertEquals(n, proto.params().size());
            assertEquals(".debug_bpf_sdt_types", section(btf, v));
            for (int k = 0; k < n; k++) {
                String chk = "__sdt_chk_p" + n + "_" + k;
                BtfType.Var cv = btf.types().stream().filter(x -> x instanceof BtfType.Var w && w.name().equals(chk))
                        .map(x -> (BtfType.Var) x).findFirst().orElseThrow(() -> new AssertionError(chk));
                assertEquals(".debug_bpf_sdt_chk", section(btf, cv));
                assertEquals(btf.skipModifiers(cv.type()), btf.skipModifiers(proto.params().get(k).type()), chk + " has the declared type");
            }
        }
        ObjectFile obj = ObjectFile.open(bytes, "probe.o");
        assertEquals(6, obj.sdtProbes().size());
        assertEquals(List.of("char", "short", "int", "long", "unsigned int"), obj.sdtProbe("p5").argTypes());
    }

    private static String section(Btf btf, BtfType.Var v) {
        for (BtfType t : btf.types()) {
            if (t instanceof BtfType.Datasec d && d.vars().stream().anyMatch(vi -> btf.type(vi.type()) == v)) {
                return d.name();
            }
        }
        return "";
    }

    @Test
    void aTypeMismatchNamesTheArgument() throws Exception {
        Compiled c = compile(PRELUDE + """
                BPF_SDT_DECLARE2(lens, int, int);
                SEC("xdp") int prog(struct xdp_md *ctx) {
                    long total = ctx->data_end;
                    int len = ctx->data;
                    BPF_SDT_PROBE2(lens, len, total);
                    return 2;
                }
                """);
        assertNotEquals(0, c.exit());
        assertTrue(c.output().contains("BPF_SDT probe 'lens': argument 1 (total) does not have the type its BPF_SDT_DECLARE gives"),
                c.output());
        assertTrue(!c.output().contains("argument 0 (len)"), "only the wrong argument is named: " + c.output());
    }

    @Test
    void anArgumentWiderThanEightBytesNamesTheArgument() throws Exception {
        Compiled c = compile(PRELUDE + """
                struct pair { long a, b; };
                BPF_SDT_DECLARE1(big, struct pair);
                SEC("xdp") int prog(struct xdp_md *ctx) {
                    struct pair p = { ctx->data, ctx->data_end };
                    BPF_SDT_PROBE1(big, p);
                    return 2;
                }
                """);
        assertNotEquals(0, c.exit());
        assertTrue(c.output().contains("BPF_SDT probe 'big': argument 0 (p) is wider than 8 bytes; pass a pointer to it"), c.output());
    }

    @Test
    void aProbeFiredTwiceIsADuplicateSymbol() throws Exception {
        Compiled c = compile(PRELUDE + """
                BPF_SDT_DECLARE(twice);
                SEC("xdp") int prog(struct xdp_md *ctx) {
                    BPF_SDT_PROBE(twice);
                    BPF_SDT_PROBE(twice);
                    return 2;
                }
                """);
        assertNotEquals(0, c.exit());
        assertTrue(c.output().contains("___sdt_jt_twice"), c.output());
    }

    @Test
    void matchingArgumentsCompileCleanly() throws Exception {
        Compiled c = compile(PRELUDE + """
                BPF_SDT_DECLARE2(probe_len_ret, int, int);
                SEC("xdp") int prog(struct xdp_md *ctx) {
                    int len = ctx->data_end - ctx->data;
                    BPF_SDT_PROBE2(probe_len_ret, len, XDP_PASS);
                    return XDP_PASS;
                }
                """);
        assertEquals(0, c.exit(), c.output());
        ObjectSdtProbe p = ObjectFile.open(Files.readAllBytes(c.object()), "probe.o").sdtProbe("probe_len_ret");
        assertArrayEquals(new int[] {4, 4}, p.model().argSize());
    }
}
