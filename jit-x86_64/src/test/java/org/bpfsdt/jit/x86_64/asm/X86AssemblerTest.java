package org.bpfsdt.jit.x86_64.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;

import org.bpfsdt.jit.x86_64.asm.X86Assembler.JumpSizes;
import org.junit.jupiter.api.Test;

/** Labels, jump relaxation, the constant pool and padding: what the golden encodings cannot show. */
class X86AssemblerTest {

    private static byte[] hex(String s) {
        return HexFormat.ofDelimiter(" ").parseHex(s);
    }

    @Test
    void jumpsStartShortAndGrowOnlyWhenTheyMustReach() {
        JumpSizes sizes = new JumpSizes();
        int passes = 0;
        X86Assembler a;
        do {
            a = new X86Assembler(sizes);
            Label near = new Label();
            Label far = new Label();
            a.jcc(Cond.E, near);   // 2 bytes, reaches
            a.jmp(far);            // must grow to 5 bytes
            a.bind(near);
            a.nop(200);
            a.bind(far);
            a.ret();
            passes++;
        } while (!a.finish());
        assertEquals(2, passes);
        assertEquals(1, sizes.longCount());
        byte[] code = a.toByteArray();
        assertArrayEquals(hex("74 05"), java.util.Arrays.copyOfRange(code, 0, 2), "jcc rel8 over the long jmp");
        assertArrayEquals(hex("e9 c8 00 00 00"), java.util.Arrays.copyOfRange(code, 2, 7), "jmp rel32 over 200 bytes");
        assertEquals((byte) 0xc3, code[code.length - 1]);
    }

    @Test
    void backwardJumpsUseTheirExactDistance() {
        X86Assembler a = new X86Assembler(new JumpSizes());
        Label top = new Label();
        a.bind(top);
        a.nop(3);
        a.jcc(Cond.NE, top);
        assertTrue(a.finish());
        assertArrayEquals(hex("0f 1f 00 75 fb"), a.toByteArray());
    }

    @Test
    void absoluteCallsGoThroughTheConstantPool() {
        X86Assembler a = new X86Assembler();
        a.callAbsolute(0x1122334455667788L);
        a.callAbsolute(0x1122334455667788L); // one pool entry serves both
        a.ret();
        assertTrue(a.finish());
        // call [rip+disp]: the pool starts at the next 8-byte boundary after the code (13 bytes -> 16)
        assertArrayEquals(hex("ff 15 0a 00 00 00 ff 15 04 00 00 00 c3 cc cc cc 88 77 66 55 44 33 22 11"), a.toByteArray());
    }

    @Test
    void ripRelativeLeaAndCallsReachLabels() {
        X86Assembler a = new X86Assembler();
        Label f = new Label();
        a.leaRip(Reg.RDI, f);
        a.call(f);
        a.bind(f);
        a.ret();
        assertTrue(a.finish());
        assertArrayEquals(hex("48 8d 3d 05 00 00 00 e8 00 00 00 00 c3"), a.toByteArray());
    }

    @Test
    void nopsAreTheRecommendedMultiByteForms() {
        for (int n = 1; n <= 20; n++) {
            X86Assembler a = new X86Assembler();
            a.nop(n);
            assertEquals(n, a.toByteArray().length);
        }
        X86Assembler a = new X86Assembler();
        a.nop(5);
        assertArrayEquals(X86Assembler.NOP5, a.toByteArray());
        assertArrayEquals(hex("0f 1f 44 00 00"), X86Assembler.NOP5, "nop dword ptr [rax + rax*1 + 0] (SDM vol. 2B, NOP)");
    }

    @Test
    void aLabelBindsOnce() {
        X86Assembler a = new X86Assembler();
        Label l = new Label();
        a.bind(l);
        assertThrows(IllegalStateException.class, () -> a.bind(l));
        assertFalse(new Label().isBound());
    }
}
