package org.bpfsdt.core.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.core.exec.NativeMemory;
import org.junit.jupiter.api.Test;

class InterpreterTest {
    private final HelperTable helpers = new HelperTable();
    private final Interpreter interpreter = new Interpreter(null);
    private final ExecState state = interpreter.newState(0);

    private long run(String asm, long r1) {
        return interpreter.run(state, DecodedProgram.decode(Assembler.assemble(asm), helpers, false, 0, "t"), r1, 0);
    }

    @Test
    void divisionAndModuloFollowBpfRules() {
        assertEquals(0, run("mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1\nexit", 0));
        assertEquals(7, run("mov %r0, 7\nmov %r1, 0\nmod %r0, %r1\nexit", 0));
        // 32-bit modulo by zero keeps the low 32 bits, zero-extended
        assertEquals(0xffffffffL, run("lddw %r0, 0x12345678ffffffff\nmov32 %r1, 0\nmod32 %r0, %r1\nexit", 0));
        assertEquals(Long.MIN_VALUE, run("lddw %r0, 0x8000000000000000\nsdiv %r0, -1\nexit", 0));
        assertEquals(0, run("lddw %r0, 0x8000000000000000\nsmod %r0, -1\nexit", 0));
        assertEquals(0x80000000L, run("mov32 %r0, 0x80000000\nsdiv32 %r0, -1\nexit", 0));
        assertEquals(-3L & 0xffffffffL, run("mov32 %r0, -7\nmov32 %r1, 2\nsdiv32 %r0, %r1\nexit", 0));
    }

    @Test
    void thirtyTwoBitResultsAreZeroExtendedAndShiftsMasked() {
        assertEquals(0, run("lddw %r0, 0xffffffff00000000\nadd32 %r0, 0\nexit", 0));
        assertEquals(1L << 3, run("mov %r0, 1\nlsh %r0, 67\nexit", 0));
        assertEquals(1L << 3, run("mov32 %r0, 1\nlsh32 %r0, 35\nexit", 0));
        assertEquals(0xffffffffL, run("mov32 %r0, -1\narsh32 %r0, 4\nexit", 0));
        assertEquals(-1L, run("mov %r1, -1\nmovsx3264 %r0, %r1\nexit", 0));
        assertEquals(0x3412L, run("mov %r0, 0x1234\nbe16 %r0\nexit", 0));
    }

    @Test
    void localCallsGetTheirOwnFrameAndTheDepthLimitHolds() {
        // each callee writes its own frame; the caller's slot survives
        long r0 = run("""
                stdw [%r10-8], 11
                call local f
                ldxdw %r1, [%r10-8]
                add %r0, %r1
                exit
                f:
                stdw [%r10-8], 22
                ldxdw %r0, [%r10-8]
                exit
                """, 0);
        assertEquals(33, r0);
        // recursion without end: the 8th nested frame is refused, naming the call
        BpfException e = assertThrows(BpfException.class, () -> run("call local f\nexit\nf:\ncall local f\nexit", 0));
        assertEquals(Errno.E2BIG, e.errno());
        assertTrue(e.reason().startsWith("insn 2 (call local"), e.reason());
    }

    @Test
    void mayGotoTakesItsJumpOnceTheFrameBudgetIsSpent() {
        // counts loop iterations until may_goto gives up: the kernel's budget of 8M
        long r0 = run("""
                mov %r0, 0
                loop:
                may_goto +2
                add %r0, 1
                ja loop
                exit
                """, 0);
        assertEquals(8L * 1024 * 1024, r0);
    }

    @Test
    void atomicsAreAtomicAcrossThreads() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment counter = arena.allocate(16, 8);
            List<Insn> prog = Assembler.assemble("""
                    mov %r2, 1
                    mov %r3, 0
                    loop:
                    lock add [%r1+0], %r2
                    lock add32 [%r1+8], %r2
                    add %r3, 1
                    jlt %r3, 100000, loop
                    exit
                    """);
            DecodedProgram p = DecodedProgram.decode(prog, helpers, false, 0, "atomic");
            int threads = 4;
            CountDownLatch go = new CountDownLatch(1);
            Thread[] ts = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                ts[i] = Thread.ofPlatform().start(() -> {
                    ExecState st = interpreter.newState(0);
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    interpreter.run(st, p, counter.address(), 0);
                });
            }
            go.countDown();
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(threads * 100000L, counter.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(threads * 100000, counter.get(ValueLayout.JAVA_INT, 8));
        }
    }

    @Test
    void helpersMayRunProgramsOnTheSameThread() {
        DecodedProgram inner = DecodedProgram.decode(Assembler.assemble("""
                stdw [%r10-8], 5
                ldxdw %r0, [%r10-8]
                add %r0, %r1
                exit
                """), helpers, false, 0, "inner");
        HelperTable t = new HelperTable().register(100, null, (st, a, b, c, d, e) -> st.interpreter().run(st, inner, a, 0));
        // the outer run keeps its registers and stack across the nested run
        long r0 = interpreter.run(state, DecodedProgram.decode(Assembler.assemble("""
                stdw [%r10-8], 1000
                mov %r6, 7
                mov %r1, 30
                call 100
                ldxdw %r1, [%r10-8]
                add %r0, %r1
                add %r0, %r6
                exit
                """), t, false, 0, "outer"), 0, 0);
        assertEquals(35 + 1000 + 7, r0);
        assertEquals(0, state.level);
        assertEquals(0, state.frameTop);
    }

    @Test
    void callbacksRunAsFunctionsOfTheRunningProgram() {
        HelperTable t = new HelperTable().register(181, null,
                (st, a, b, c, d, e) -> st.interpreter().callFunction(st, b, a, 0, 0, 0, 0) + st.interpreter().callFunction(st, b, a * 2, 0, 0, 0, 0));
        List<Insn> prog = Assembler.assemble("mov %r1, 10\ncall 181\nexit\ncb:\nmov %r0, %r1\nadd %r0, 1\nexit");
        // r2 = the callback's address, as an LDDW with BPF_PSEUDO_FUNC loads it
        List<Insn> withFunc = new java.util.ArrayList<>(prog);
        Insn[] ld = Insn.lddw(2, org.bpfsdt.api.isa.Opcodes.PSEUDO_FUNC, 4); // slot 0 + 1 + 4 = cb
        withFunc.add(0, ld[1]);
        withFunc.add(0, ld[0]);
        assertEquals(11 + 21, interpreter.run(state, DecodedProgram.decode(withFunc, t, false, 0, "cb"), 0, 0));
    }

    @Test
    void tailCallsReplaceTheProgramAndStopAtTheKernelLimit() {
        try (Arena arena = Arena.ofConfined()) {
            // a PROG_ARRAY header whose slot 0 holds a descriptor; the resolver maps it to a program
            MemorySegment header = arena.allocate(RuntimeLinkage.MAP_HEADER_SIZE, 8);
            MemorySegment table = arena.allocate(8, 8);
            header.set(ValueLayout.JAVA_INT, RuntimeLinkage.MAP_TYPE, MapType.PROG_ARRAY.kernelId());
            header.set(ValueLayout.JAVA_INT, RuntimeLinkage.MAP_MAX_ENTRIES, 1);
            header.set(ValueLayout.JAVA_LONG, RuntimeLinkage.MAP_DATA, table.address());
            table.set(ValueLayout.JAVA_LONG, 0, 1);
            String self = """
                    lddw %r2, HEADER
                    mov %r3, 0
                    ldxdw %r4, [%r1+0]
                    add %r4, 1
                    stxdw [%r1+0], %r4
                    call 12
                    mov %r0, 77
                    exit
                    """.replace("HEADER", Long.toString(header.address()));
            DecodedProgram[] holder = new DecodedProgram[1];
            CallTarget target = new CallTarget() {
                @Override
                public DecodedProgram interpreted() {
                    return holder[0];
                }

                @Override
                public long run(ExecState st, long ctx) {
                    throw new AssertionError("runs in place");
                }
            };
            Interpreter in = new Interpreter((map, index) -> map == header.address() && index == 0 && table.get(ValueLayout.JAVA_LONG, 0) != 0 ? target : null);
            holder[0] = DecodedProgram.decode(Assembler.assemble(self), helpers, false, 0, "tail");
            MemorySegment count = arena.allocate(8, 8);
            long r0 = in.run(in.newState(0), holder[0], count.address(), 0);
            // the first run and 33 tail calls; the 34th falls through to "mov r0, 77"
            assertEquals(77, r0);
            assertEquals(34, count.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void legacyPacketLoadsReadTheSocketBufferInR6() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pkt = arena.allocate(4);
            pkt.copyFrom(MemorySegment.ofArray(new byte[] {0x12, 0x34, 0x56, 0x78}));
            MemorySegment skb = arena.allocate(org.bpfsdt.api.spi.ContextLayouts.SKB_NATIVE_SIZE, 8);
            skb.set(ValueLayout.JAVA_LONG, org.bpfsdt.api.spi.ContextLayouts.SKB_DATA, pkt.address());
            skb.set(ValueLayout.JAVA_LONG, org.bpfsdt.api.spi.ContextLayouts.SKB_DATA_END, pkt.address() + 4);
            assertEquals(0x3456, run("mov %r6, %r1\nldabsh 1\nexit", skb.address()));
            // out of the packet: the program ends with 0
            assertEquals(0, run("mov %r6, %r1\nmov %r0, 5\nldabsw 1\nmov %r0, 9\nexit", skb.address()));
        }
    }

    @Test
    void nullPointersFaultWithTheInstructionInsteadOfCrashing() {
        BpfException e = assertThrows(BpfException.class, () -> run("mov %r0, 0\nldxdw %r0, [%r1+16]\nexit", 0));
        assertEquals(Errno.EFAULT, e.errno());
        assertTrue(e.reason().startsWith("insn 1 (ldxdw %r0, [%r1+16])"), e.reason());
    }

    @Test
    void runsAllocateNothing() {
        DecodedProgram p = DecodedProgram.decode(Assembler.assemble("""
                mov %r0, 0
                mov %r2, 0
                loop:
                stxdw [%r10-8], %r2
                ldxdw %r3, [%r10-8]
                add %r0, %r3
                call local f
                add %r2, 1
                jlt %r2, 50, loop
                exit
                f:
                mov %r0, %r0
                exit
                """), helpers, false, 0, "loop");
        for (int i = 0; i < 20_000; i++) {
            interpreter.run(state, p, 0, 0);
        }
        long before = allocatedBytes();
        AtomicLong sink = new AtomicLong();
        for (int i = 0; i < 100_000; i++) {
            sink.addAndGet(interpreter.run(state, p, 0, 0));
        }
        long allocated = allocatedBytes() - before;
        // 100,000 runs: anything per run would be megabytes
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated by 100,000 runs");
        assertEquals(100_000L * 1225, sink.get());
    }

    static long allocatedBytes() {
        return Allocations.threadBytes();
    }

    @Test
    void faultsLeaveTheStateReadyForTheNextRun() {
        assertThrows(BpfException.class, () -> run("call local f\nexit\nf:\nldxdw %r0, [%r1+0]\nexit", 8));
        assertEquals(0, state.level);
        assertEquals(0, state.frameTop);
        assertEquals(3, run("mov %r0, 3\nexit", 0));
        assertTrue(NativeMemory.FLOOR > 4096);
    }
}
