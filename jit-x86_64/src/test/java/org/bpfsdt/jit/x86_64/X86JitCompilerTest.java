package org.bpfsdt.jit.x86_64;

import static org.bpfsdt.api.isa.Opcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.InsnAux;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.api.spi.Subprog;
import org.bpfsdt.jit.x86_64.codegen.CpuFeatures;
import org.bpfsdt.jit.x86_64.image.X86JitImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the compiled code does, beyond the conformance suite: calls, tail calls, loops, division, entries. */
class X86JitCompilerTest {
    private final X86JitCompiler jit = new X86JitCompiler();
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void allCodeIsUnmapped() {
        arena.close();
        assertEquals(0, jit.liveCodeBlocks(), "every image was closed, so no code may stay mapped");
    }

    private long run(List<Insn> insns, byte[] mem) {
        try (JitImage image = jit.compile(NativeRun.request("t", insns, NativeRun.CONFORMANCE_HELPERS))) {
            return NativeRun.run(image, mem).r0();
        }
    }

    private long run(String asm) {
        return run(Assembler.assemble(asm), new byte[0]);
    }

    @Test
    void helperCallsTakeR1ToR5AndKeepR6ToR9() {
        var helpers = NativeRun.helpers(Map.of(100, "sum"));
        List<Insn> insns = Assembler.assemble("""
                mov %r6, 60
                mov %r7, 70
                mov %r8, 80
                mov %r9, 90
                mov %r1, 1
                mov %r2, 20
                mov %r3, 300
                mov %r4, 4000
                mov %r5, 50000
                call 100
                add %r0, %r6
                add %r0, %r7
                add %r0, %r8
                add %r0, %r9
                exit
                """);
        try (JitImage image = jit.compile(NativeRun.request("t", insns, helpers))) {
            assertEquals(54321 + 300, NativeRun.run(image, new byte[0]).r0());
        }
    }

    @Test
    void eachFunctionHasItsOwnStackFrame() {
        List<Insn> insns = Assembler.assemble("""
                mov %r1, 11
                stxdw [%r10-8], %r1
                mov %r6, 5
                call local f
                ldxdw %r1, [%r10-8]
                mul %r1, 1000
                add %r0, %r1
                add %r0, %r6
                exit
                f:
                mov %r6, 22
                stxdw [%r10-8], %r6
                stxdw [%r10-16], %r6
                call local g
                ldxdw %r1, [%r10-8]
                add %r0, %r1
                exit
                g:
                mov %r1, 33
                stxdw [%r10-8], %r1
                ldxdw %r0, [%r10-8]
                exit
                """);
        List<Subprog> subprogs = List.of(new Subprog(0, 9, 8, "main"), new Subprog(9, 16, 16, "f"), new Subprog(16, 20, 8, "g"));
        try (JitImage image = jit.compile(NativeRun.request(insns, subprogs, null, null))) {
            assertEquals(11_000 + 33 + 22 + 5, NativeRun.run(image, new byte[0]).r0());
        }
    }

    @Test
    void functionAddressesAndBpfLoopCallTheCallback() {
        List<Insn> insns = NativeRun.withFunctionAddress(Assembler.assemble("""
                mov %r6, 0
                stxdw [%r10-8], %r6
                mov %r1, 10
                lddw %r2, 0
                mov %r3, %r10
                add %r3, -8
                mov %r4, 0
                call 181
                ldxdw %r1, [%r10-8]
                lsh %r0, 32
                or %r0, %r1
                exit
                ldxdw %r3, [%r2+0]
                add %r3, 1
                stxdw [%r2+0], %r3
                mov %r0, 0
                jne %r1, 5, +1
                mov %r0, 1
                exit
                """), 3, 13);
        assertEquals(6L << 32 | 6, run(insns, new byte[0]), "six calls (i = 0..5), the last returned 1");
    }

    @Test
    void bpfLoopRefusesFlagsAndTooManyLoops() {
        String body = """
                mov %r1, NR
                lddw %r2, 0
                mov %r3, 0
                mov %r4, FLAGS
                call 181
                exit
                mov %r0, 0
                exit
                """;
        List<Insn> flags = NativeRun.withFunctionAddress(Assembler.assemble(body.replace("NR", "1").replace("FLAGS", "1")), 1, 7);
        assertEquals(-Errno.EINVAL.code(), run(flags, new byte[0]));
        List<Insn> many = NativeRun.withFunctionAddress(Assembler.assemble(body.replace("NR", "0x800001").replace("FLAGS", "0")), 1, 7);
        assertEquals(-Errno.E2BIG.code(), run(many, new byte[0]));
    }

    @Test
    void aFunctionAddressIsItsNativeEntry() {
        List<Insn> insns = NativeRun.withFunctionAddress(Assembler.assemble("""
                lddw %r0, 0
                exit
                mov %r0, 1
                exit
                """), 0, 3);
        try (X86JitImage image = (X86JitImage) jit.compile(NativeRun.request("t", insns, null))) {
            assertEquals(image.address() + image.nativeCode().functionOffsets()[1], NativeRun.run(image, new byte[0]).r0());
        }
    }

    @Test
    void mayGotoFallsThroughUntilTheKernelsBudgetIsSpent() {
        assertEquals(8 * 1024 * 1024, run("""
                mov %r0, 0
                loop:
                may_goto out
                add %r0, 1
                ja loop
                out:
                exit
                """));
    }

    @Test
    void longJumpsAreRelaxedAndStillLand() {
        StringBuilder asm = new StringBuilder("mov %r0, 0\njeq %r0, 0, far\n");
        for (int i = 0; i < 40; i++) {
            asm.append("lddw %r1, 0x1122334455667788\n");
        }
        asm.append("mov %r0, 1\nexit\nfar:\nmov %r0, 2\nexit\n");
        X86JitImage image = (X86JitImage) jit.compile(NativeRun.request(asm.toString()));
        try (image) {
            assertTrue(image.nativeCode().passes() > 1, "the forward jump had to grow");
            assertEquals(2, NativeRun.run(image, new byte[0]).r0());
        }
    }

    @Test
    void batchEntryRunsTheProgramRepeatTimes() throws Throwable {
        List<Insn> insns = Assembler.assemble("""
                mov %r2, 1
                lock add [%r1+0], %r2
                ldxdw %r0, [%r1+0]
                exit
                """);
        MemorySegment ctx = arena.allocate(8, 8);
        try (JitImage image = jit.compile(NativeRun.request("t", insns, null))) {
            assertEquals(1000L, (long) image.batchEntry().invokeExact(ctx.address(), 1000L));
            assertEquals(1001L, (long) image.batchEntry().invokeExact(ctx.address(), 0L), "a repeat below 1 runs once");
            assertEquals(1002L, (long) image.entry().invokeExact(ctx.address()));
        }
    }

    /** An index scaled and added to a base (an inlined array lookup) becomes one lea, unless another path joins at the add. */
    @Test
    void scaledAddsBecomeLea() {
        String asm = """
                mov %r0, 5
                mov %r6, 1000
                lsh %r0, 3
                add %r0, %r6
                mov %r7, 7
                mov %r2, 40000
                lsh %r7, 2
                add %r7, %r2
                add %r0, %r7
                mov %r3, 3
                jeq %r3, 3, join
                lsh %r3, 1
                join:
                add %r3, %r6
                add %r0, %r3
                exit
                """;
        try (X86JitImage image = (X86JitImage) jit.compile(NativeRun.request(asm))) {
            assertEquals(1040 + 40028 + 1003, NativeRun.run(image, new byte[0]).r0());
            String listing = image.listing(Assembler.assemble(asm), pc -> null);
            if (listing.contains("push r12")) { // disassembled (llvm-objdump installed)
                assertEquals(2, listing.lines().filter(l -> l.contains("\tlea ")).count(), listing);
            }
        }
    }

    // tail calls --------------------------------------------------------------------------------

    /** A PROG_ARRAY as the runtime lays it out: map header, descriptor table, descriptors. */
    private final class ProgArray {
        final MemorySegment header = arena.allocate(RuntimeLinkage.MAP_HEADER_SIZE, 8);
        final MemorySegment table;
        final MemorySegment[] descriptors;

        ProgArray(int entries) {
            table = arena.allocate(8L * entries, 8);
            descriptors = new MemorySegment[entries];
            header.set(ValueLayout.JAVA_INT, RuntimeLinkage.MAP_MAX_ENTRIES, entries);
            header.set(ValueLayout.JAVA_LONG, RuntimeLinkage.MAP_DATA, table.address());
        }

        void put(int slot, long entry) {
            descriptors[slot] = arena.allocate(RuntimeLinkage.PROG_DESCRIPTOR_SIZE, 8);
            descriptors[slot].set(ValueLayout.JAVA_LONG, RuntimeLinkage.PROG_ENTRY, entry);
            table.setAtIndex(ValueLayout.JAVA_LONG, slot, descriptors[slot].address());
        }
    }

    private static final RuntimeLinkage LINKAGE = () -> NativeRun.upcall("fallback");

    private List<Insn> tailCaller(ProgArray map, int index) {
        return NativeRun.withImm64(Assembler.assemble("""
                mov %r7, 1
                lock add [%r1+0], %r7
                lddw %r2, 0
                mov %r3, INDEX
                call 12
                mov %r0, 7
                exit
                """.replace("INDEX", Integer.toString(index))), 2, map.header.address());
    }

    @Test
    void tailCallsChainAtMost33Times() {
        ProgArray map = new ProgArray(4);
        MemorySegment counter = arena.allocate(8, 8);
        try (JitImage self = jit.compile(NativeRun.request(tailCaller(map, 0), List.of(), null, LINKAGE))) {
            map.put(0, self.entryAddress());
            long r0 = run(self, counter);
            assertEquals(7, r0, "the last program's tail call failed and it went on");
            assertEquals(1 + MAX_TAIL_CALLS, counter.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void aTailCallReplacesTheCallerAndReturnsTheTargetsR0() {
        ProgArray map = new ProgArray(2);
        MemorySegment counter = arena.allocate(8, 8);
        try (JitImage target = jit.compile(NativeRun.request("mov %r0, 99\nexit"));
             JitImage caller = jit.compile(NativeRun.request(tailCaller(map, 1), List.of(), null, LINKAGE))) {
            map.put(1, target.entryAddress());
            assertEquals(99, run(caller, counter));
        }
    }

    @Test
    void failedTailCallsFallThrough() {
        ProgArray map = new ProgArray(2);
        MemorySegment counter = arena.allocate(8, 8);
        try (JitImage empty = jit.compile(NativeRun.request(tailCaller(map, 1), List.of(), null, LINKAGE));
             JitImage outOfRange = jit.compile(NativeRun.request(tailCaller(map, 2), List.of(), null, LINKAGE))) {
            assertEquals(7, run(empty, counter));
            assertEquals(7, run(outOfRange, counter));
        }
    }

    @Test
    void targetsWithoutNativeCodeRunThroughTheFallback() {
        ProgArray map = new ProgArray(2);
        MemorySegment counter = arena.allocate(8, 8);
        try (JitImage caller = jit.compile(NativeRun.request(tailCaller(map, 1), List.of(), null, LINKAGE))) {
            map.put(1, 0);
            assertEquals(4242 + 1, run(caller, counter));
        }
    }

    private static long run(JitImage image, MemorySegment ctx) {
        try {
            return (long) image.entry().invokeExact(ctx.address());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // division and modulo -----------------------------------------------------------------------

    private static final long[] VALUES = {0, 1, 2, 3, 7, -1, -2, -7, 16, 1L << 31, Integer.MIN_VALUE, Integer.MAX_VALUE,
        0xffffffffL, Long.MIN_VALUE, Long.MAX_VALUE, 0x123456789abcdefL, -0x123456789abcdefL, 1L << 40};

    private record Div(int cls, int op, boolean signed) {
        boolean is64() {
            return cls == ALU64;
        }

        long apply(long a, long b) {
            boolean mod = op == MOD;
            if (is64()) {
                if (b == 0) {
                    return mod ? a : 0;
                }
                if (signed) {
                    return b == -1 ? (mod ? 0 : -a) : mod ? a % b : a / b;
                }
                return mod ? Long.remainderUnsigned(a, b) : Long.divideUnsigned(a, b);
            }
            int x = (int) a;
            int y = (int) b;
            int r;
            if (y == 0) {
                r = mod ? x : 0;
            } else if (signed) {
                r = y == -1 ? (mod ? 0 : -x) : mod ? x % y : x / y;
            } else {
                r = mod ? Integer.remainderUnsigned(x, y) : Integer.divideUnsigned(x, y);
            }
            return r & 0xffffffffL;
        }
    }

    private static List<Div> divisions() {
        List<Div> out = new ArrayList<>();
        for (int cls : new int[] {ALU, ALU64}) {
            for (int op : new int[] {DIV, MOD}) {
                out.add(new Div(cls, op, false));
                out.add(new Div(cls, op, true));
            }
        }
        return out;
    }

    /**
     * Every division form on a grid of values, in one program that stores each result, against
     * the RFC's semantics computed in Java; with the verifier's non-zero proof the check is left out.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void divisionFollowsBpfSemantics(boolean provenNonZero) {
        List<Insn> insns = new ArrayList<>();
        List<InsnAux> aux = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        insns.add(Insn.mov64Reg(9, 1));
        for (Div d : divisions()) {
            for (long a : VALUES) {
                for (long b : VALUES) {
                    if (provenNonZero && (d.is64() ? b : (int) b) == 0) {
                        continue; // the verifier's proof is about the operand the operation divides by
                    }
                    boolean immFits = b == (int) b;
                    for (boolean imm : immFits ? new boolean[] {false, true} : new boolean[] {false}) {
                        insns.addAll(List.of(Insn.lddw(1, 0, a)));
                        int opcode = d.cls() | d.op() | (imm ? K : X);
                        if (imm) {
                            insns.add(new Insn(opcode, 1, 0, d.signed() ? 1 : 0, (int) b));
                        } else {
                            insns.addAll(List.of(Insn.lddw(2, 0, b)));
                            insns.add(new Insn(opcode, 1, 2, d.signed() ? 1 : 0, 0));
                        }
                        if (expected.size() % 1000 == 0 && !expected.isEmpty()) {
                            insns.add(Insn.alu64Imm(ADD, 9, 8000)); // keep store offsets within 16 bits
                        }
                        insns.add(Insn.stx(DW, 9, 1, 8 * (expected.size() % 1000)));
                        // the 32-bit forms see the low half of an imm as their divisor, the 64-bit ones its sign extension
                        expected.add(d.apply(a, imm && d.is64() ? (long) (int) b : b));
                    }
                }
            }
        }
        insns.add(Insn.mov64Imm(0, 0));
        insns.add(Insn.exit());
        for (Insn i : insns) {
            boolean div = isAlu(i.opcode()) && (op(i.opcode()) == DIV || op(i.opcode()) == MOD) && source(i.opcode()) == X;
            aux.add(new InsnAux(aux.size(), true, provenNonZero && div, -1, -1));
        }
        JitRequest request = new JitRequest("div", org.bpfsdt.api.ProgramType.UNSPEC, insns, aux,
                List.of(new Subprog(0, insns.size(), 0, "div")), null, List.of(), null);
        MemorySegment out = arena.allocate(8L * expected.size(), 8);
        try (JitImage image = jit.compile(request)) {
            run(image, out);
        }
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), out.getAtIndex(ValueLayout.JAVA_LONG, i), "result " + i);
        }
    }

    // processor features --------------------------------------------------------------------------

    @Test
    void shiftsByRegisterWorkWithAndWithoutBmi2() {
        String asm = """
                mov %r4, 0x7f
                mov %r1, 3
                lsh %r4, %r1
                mov %r2, 0x100
                mov %r1, 4
                rsh %r2, %r4
                arsh32 %r1, %r4
                mov %r3, 1
                mov %r5, 9
                lsh %r3, %r5
                mov %r0, %r4
                lsh %r0, 16
                or %r0, %r2
                or %r0, %r1
                or %r0, %r3
                exit
                """;
        for (CpuFeatures cpu : new CpuFeatures[] {CpuFeatures.BASELINE, new CpuFeatures(true)}) {
            X86JitCompiler c = new X86JitCompiler(cpu, false);
            try (JitImage image = c.compile(NativeRun.request(asm))) {
                // r4 = 0x3f8; r2 = 0x100 >> (0x3f8 & 63 = 56) = 0; r1 = 4 >> (0x3f8 & 31 = 24) = 0; r3 = 1 << 9
                assertEquals(0x3f8L << 16 | 512, NativeRun.run(image, new byte[0]).r0(), cpu.toString());
            }
        }
    }
}
