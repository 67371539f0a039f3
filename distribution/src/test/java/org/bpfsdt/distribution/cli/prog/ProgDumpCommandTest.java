package org.bpfsdt.distribution.cli.prog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;

import org.bpfsdt.api.spi.JitListing;
import org.bpfsdt.distribution.cli.Cli;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code bpfsdt prog dump xlated|jited}: a program as the runtime runs it, with its C source lines. */
class ProgDumpCommandTest {
    private static final String SUBPROGS = Cli.testprog("subprogs.o");

    @Test
    void xlatedShowsTheRewrittenInstructionsWithFunctionsAndSourceLines() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("prog", "dump", "xlated", SUBPROGS, "--prog", "prog_a");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().startsWith("""
                    ; prog_a: program 1 (XDP), 26 instructions xlated, runs on the interpreter
                    prog_a:
                    ; __u32 len = ctx->data_end - ctx->data; @ subprogs.c:32
                           0:\t79 18 00 00 00 00 00 00\tr8 = *(u64 *)(r1 + 0x0)
                           1:\t79 16 08 00 00 00 00 00\tr6 = *(u64 *)(r1 + 0x8)
                    ; return sum_of_squares(3, 4) + add_bias(len); @ subprogs.c:34
                           2:\tb7 01 00 00 03 00 00 00\tr1 = 0x3
                    """), "the context loads read the native xdp_buff's 8-byte pointers:\n" + r.out());
            assertTrue(r.out().contains("\n\nsum_of_squares:\n; __noinline __u32 sum_of_squares(__u32 a, __u32 b) @ subprogs.c:19\n"), r.out());
            assertTrue(r.out().contains("\n\nsquare:\n"), r.out());
        }
    }

    @Test
    void jitedShowsTheNativeCodeBesideTheBpfInstructionsAndSourceLines() {
        Assumptions.assumeTrue(llvmObjdump(), "llvm-objdump is not installed: the listing shows bytes (see the next test)");
        Cli.Result r = Cli.tool("prog", "dump", "jited", SUBPROGS, "--prog", "prog_b", "--engine", "x86_64");
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("; prog_b: program 2 (XDP), 12 instructions xlated, runs on the x86_64 JIT\n; x86_64 code, "), out);
        for (String label : new String[] {"<entry>:\n", "<prog_b>:\n", "<square>:\n", "<batch entry>:\n"}) {
            assertTrue(out.contains(label), label + " in\n" + out);
        }
        // square(x): the source line, the BPF multiplication, then the x86 one compiled from it
        String bpf = ";      10:\t2f 00 00 00 00 00 00 00\tr0 *= r0\n";
        int mul = out.indexOf(bpf);
        assertTrue(mul > out.indexOf("; return x * x; @ subprogs.c:16\n"), out);
        assertTrue(Pattern.compile("\\s+[0-9a-f]+:\t[0-9a-f ]+\timul rax, rax\n").matcher(out).region(mul + bpf.length(), out.length()).lookingAt(), out);
    }

    @Test
    void withoutADisassemblerTheCodeIsShownAsBytes() {
        String before = System.getProperty(JitListing.OBJDUMP_PROPERTY);
        System.setProperty(JitListing.OBJDUMP_PROPERTY, "none");
        try {
            Cli.Result r = Cli.tool("prog", "dump", "jited", SUBPROGS, "--prog", "prog_b", "--engine", "x86_64");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains(" (bytes only: install llvm-objdump, or name one with -Dbpfsdt.objdump=PATH)\n"), r.out());
            assertTrue(r.out().contains("; return x * x; @ subprogs.c:16\n;      10:\t2f 00 00 00 00 00 00 00\tr0 *= r0\n"), r.out());
            // the BPF multiplication, then its own native bytes (offset, bytes, no mnemonic), then the next instruction's
            assertTrue(Pattern.compile("\n;      10:[^\n]*\n\\s+[0-9a-f]+:\t([0-9a-f]{2} )*[0-9a-f]{2}\n;      11:").matcher(r.out()).find(),
                    r.out());
        } finally {
            if (before == null) {
                System.clearProperty(JitListing.OBJDUMP_PROPERTY);
            } else {
                System.setProperty(JitListing.OBJDUMP_PROPERTY, before);
            }
        }
    }

    @Test
    void onTheInterpreterThereIsNoNativeCode() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("prog", "dump", "jited", SUBPROGS, "--prog", "prog_b");
            assertEquals(0, r.exit(), r.err());
            assertEquals("; prog_b: program 2 (XDP), 12 instructions xlated, runs on the interpreter\n"
                    + "; no native code: the interpreter runs it\n", r.out());
        }
    }

    @Test
    void anObserverIsNamedWithTheCommandThatLoadsIt() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("prog", "dump", "xlated", Cli.testprog("sdt_read_args_obs.o"));
            assertEquals(1, r.exit());
            assertTrue(r.err().contains("'obs_read_args' is an SDT observer, which loads against a target's probe: run it with "
                    + "'bpfsdt sdt trace TARGET.o --prog NAME --observe PROBE=sdt_read_args_obs.o:obs_read_args'"), r.err());
        }
    }

    private static boolean llvmObjdump() {
        return !JitListing.disassemble("x86_64", new byte[] {(byte) 0xc3}, 1).get(0).text().isEmpty();
    }
}
