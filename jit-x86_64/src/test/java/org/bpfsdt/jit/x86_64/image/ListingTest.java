package org.bpfsdt.jit.x86_64.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitListing;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.Subprog;
import org.bpfsdt.jit.x86_64.X86JitCompiler;
import org.junit.jupiter.api.Test;

/** The {@code prog dump jited} listing: BPF instructions, their native code, labelled entries and data. */
class ListingTest {
    private final X86JitCompiler jit = new X86JitCompiler();

    private static boolean llvmObjdumpInstalled() {
        return !JitListing.disassemble("x86_64", new byte[] {(byte) 0xc3}, 1).get(0).text().isEmpty();
    }

    @Test
    void eachBpfInstructionIsFollowedByItsNativeCode() {
        List<Insn> insns = Assembler.assemble("""
                mov %r0, 1
                call local f
                exit
                f:
                add %r0, 2
                exit
                """);
        JitRequest request = new JitRequest("t", ProgramType.XDP, insns, List.of(),
                List.of(new Subprog(0, 3, 0, "main"), new Subprog(3, 5, 0, "helper_f")), null, List.of(), null);
        try (JitImage image = jit.compile(request)) {
            String listing = image.listing(insns, pc -> pc == 3 ? "; int helper_f(void)" : null);
            assertTrue(listing.startsWith("; x86_64 code, "), listing);
            for (String label : List.of("<entry>:", "<main>:", "<helper_f>:", "<batch entry>:", "; int helper_f(void)")) {
                assertTrue(listing.contains(label), label + " in\n" + listing);
            }
            assertTrue(listing.indexOf(";       0:") < listing.indexOf(";       1:"), listing);
            if (llvmObjdumpInstalled()) {
                assertTrue(listing.contains("push r12"), "the entry, disassembled:\n" + listing);
                int add = listing.indexOf(";       3:");
                assertTrue(listing.indexOf("add rax, 0x2", add) > add, listing);
            }
        }
    }

    @Test
    void withoutADisassemblerTheBytesAreShown() {
        List<JitListing.NativeInsn> rows = JitListing.disassemble("pdp11", new byte[20], 20);
        assertTrue(rows.size() == 3 && rows.get(2).offset() == 16 && rows.get(2).bytes().length == 4, rows.toString());
    }
}
