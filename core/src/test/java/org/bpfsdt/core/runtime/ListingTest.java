package org.bpfsdt.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.LineInfo;
import org.bpfsdt.api.isa.Assembler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code bpftool prog dump xlated}-style listings: the program as it runs, with its source lines where the verifier left them. */
class ListingTest {
    private final CoreRuntime runtime = new CoreRuntime();

    @AfterEach
    void close() {
        runtime.close();
    }

    private static LineInfo line(int off, String source, int line) {
        return new LineInfo(off, "/src/sum.c", source, line, 5);
    }

    @Test
    void theXlatedListingLabelsTheProgramAndShowsEachSourceLineOnce() {
        runtime.addVerifier(new TestServices.AcceptAll(), Map.of());
        ProgSpec spec = ProgSpec.builder(ProgramType.TRACING, Assembler.assemble("mov %r0, 1\nadd %r0, 2\nexit"))
                .name("sum")
                .lineInfo(List.of(line(0, "\tint x = 1;", 3), line(1, "\treturn x + 2;", 4), line(2, "\treturn x + 2;", 4)))
                .build();
        try (BpfProgram p = runtime.progLoad(spec)) {
            assertEquals("""
                    sum:
                    ; int x = 1; @ sum.c:3
                           0:\tb7 00 00 00 01 00 00 00\tr0 = 0x1
                    ; return x + 2; @ sum.c:4
                           1:\t07 00 00 00 02 00 00 00\tr0 += 0x2
                           2:\t95 00 00 00 00 00 00 00\texit
                    """, p.xlatedListing());
            assertEquals("", p.jitedListing(), "the interpreter has no native code");
        }
    }

    @Test
    void aLineMovesPastRemovedInstructionsAndGoesWithTheLastOfItsCode() {
        // a: slots 0-1, b: slot 2, c: slots 3-4, d: slots 5-6
        List<LineInfo> loaded = List.of(line(0, "a", 1), line(2, "b", 2), line(3, "c", 3), line(5, "d", 4));
        // the verifier inserted two slots after slot 0 and removed slots 2 and 3
        int[] origToXlated = {0, 3, -1, -1, 4, 5, 6};
        assertEquals(List.of(line(0, "a", 1), line(4, "c", 3), line(5, "d", 4)), LoadedProgram.xlated(loaded, origToXlated));
    }
}
