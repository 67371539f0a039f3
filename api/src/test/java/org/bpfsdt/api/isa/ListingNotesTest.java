package org.bpfsdt.api.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.bpfsdt.api.btf.LineInfo;
import org.junit.jupiter.api.Test;

/** What listings print above instructions: function labels and each C source line once. */
class ListingNotesTest {
    @Test
    void functionsAreLabelledAndARepeatedSourceLineIsShownOnce() {
        List<Insn> insns = Assembler.assemble("""
                mov %r1, 2
                call local f
                exit
                f:
                mov %r0, %r1
                exit
                """);
        List<LineInfo> lines = List.of(new LineInfo(0, "/src/prog.c", "\treturn f(2);", 9, 9),
                new LineInfo(1, "/src/prog.c", "\treturn f(2);", 9, 2),
                new LineInfo(3, "/src/prog.c", "static int f(int x)", 3, 0),
                new LineInfo(4, "/src/prog.c", "static int f(int x)", 3, 0));
        assertEquals("""
                prog:
                ; return f(2); @ prog.c:9
                       0:\tb7 01 00 00 02 00 00 00\tr1 = 0x2
                       1:\t85 10 00 00 01 00 00 00\tcall 0x1
                       2:\t95 00 00 00 00 00 00 00\texit

                f:
                ; static int f(int x) @ prog.c:3
                       3:\tbf 10 00 00 00 00 00 00\tr0 = r1
                       4:\t95 00 00 00 00 00 00 00\texit
                """, ObjdumpFormatter.format(insns, ListingNotes.of(Map.of(0, "prog", 3, "f"), lines)));
    }
}
