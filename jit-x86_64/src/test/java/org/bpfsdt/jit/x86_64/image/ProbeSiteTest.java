package org.bpfsdt.jit.x86_64.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.ProbeSite;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.Trampoline;
import org.bpfsdt.jit.x86_64.X86JitCompiler;
import org.bpfsdt.jit.x86_64.asm.X86Assembler;
import org.bpfsdt.jit.x86_64.codegen.CpuFeatures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SDT probe sites: NOPs that attach patches into calls of a trampoline, which calls observers, while the program runs. */
@SuppressWarnings("restricted")
class ProbeSiteTest {
    private final X86JitCompiler jit = new X86JitCompiler(CpuFeatures.ofHost(), true);
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void everythingIsUnmapped() {
        arena.close();
        assertEquals(0, jit.liveCodeBlocks());
    }

    /** The target: r9 = ctx; sets every register; probe(r6 as u8, r1 as s32, r0 as u64); stores r0..r8 and a stack word to ctx. */
    private static final String TARGET = """
            mov %r9, %r1
            mov %r6, 0x1ff
            mov32 %r1, 0x80000000
            lddw %r0, 0x1122334455667788
            mov %r2, 2
            mov %r3, 3
            mov %r4, 4
            mov %r5, 5
            mov %r7, 7
            mov %r8, 8
            stxdw [%r10-8], %r9
            ja +0
            stxdw [%r9+0], %r0
            stxdw [%r9+8], %r1
            stxdw [%r9+16], %r2
            stxdw [%r9+24], %r3
            stxdw [%r9+32], %r4
            stxdw [%r9+40], %r5
            stxdw [%r9+48], %r6
            stxdw [%r9+56], %r7
            stxdw [%r9+64], %r8
            ldxdw %r1, [%r10-8]
            stxdw [%r9+72], %r1
            mov %r0, 0
            exit
            """;
    private static final int PROBE_SLOT = 12;
    private static final long[] REGISTERS_AFTER = {0x1122334455667788L, 0x80000000L, 2, 3, 4, 5, 0x1ff, 7, 8};
    private static final FuncModel MODEL = new FuncModel(3, new int[] {1, 4, 8}, new boolean[] {false, true, false}, new int[] {6, 1, 0}, 0);

    private static SdtProbe probe(int slot, int[] argRegs) {
        return new SdtProbe("p", slot, slot, 1, argRegs);
    }

    private JitImage compile(List<Insn> insns, List<SdtProbe> probes) {
        return jit.compile(new JitRequest("target", ProgramType.XDP, insns, List.of(), List.of(), null, probes, null));
    }

    /** An observer that adds its three u64 arguments into buf[1..3] and counts its calls in buf[0]. */
    private JitImage observer(MemorySegment buf) {
        List<Insn> insns = Assembler.assemble("""
                lddw %r2, 0
                ldxdw %r3, [%r1+0]
                stxdw [%r2+8], %r3
                ldxdw %r3, [%r1+8]
                stxdw [%r2+16], %r3
                ldxdw %r3, [%r1+16]
                stxdw [%r2+24], %r3
                mov %r3, 1
                lock add [%r2+0], %r3
                mov %r0, 0
                mov %r4, -1
                mov %r5, -1
                exit
                """);
        Insn[] lddw = Insn.lddw(2, 0, buf.address());
        List<Insn> out = new ArrayList<>(insns);
        out.set(0, lddw[0]);
        out.set(1, lddw[1]);
        return jit.compile(new JitRequest("observer", ProgramType.TRACING, out, List.of(), List.of(), null, List.of(), null));
    }

    private static void run(JitImage image, MemorySegment ctx) {
        try {
            long r0 = (long) image.entry().invokeExact(ctx.address());
            assertEquals(0, r0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Whether the trampoline's constant pool holds {@code address}: what it calls. */
    private static boolean callsAddress(X86Trampoline t, long address) {
        MemorySegment code = MemorySegment.ofArray(t.code());
        for (long off = 0; off + 8 <= code.byteSize(); off += 8) {
            if (code.get(ValueLayout.JAVA_LONG_UNALIGNED, off) == address) {
                return true;
            }
        }
        return false;
    }

    private static long[] longs(MemorySegment m, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = m.getAtIndex(ValueLayout.JAVA_LONG, i);
        }
        return out;
    }

    /**
     * Whatever comes before it, a site is one instruction: CS prefixes (at most 4), then the 5
     * patched bytes inside one aligned word; attached, the prefixed call works at every position.
     */
    @Test
    void aProbeSiteIsOneNopWhoseFiveBytesLieInOneAlignedWord() {
        MemorySegment buf = arena.allocate(8, 8);
        List<Insn> count = withBuffer("ldxdw %r3, [%r2+0]\nadd %r3, 1\nstxdw [%r2+0], %r3\nmov %r0, 0\nexit", buf);
        java.util.Set<Integer> paddings = new java.util.TreeSet<>();
        for (int prefix = 0; prefix < 16; prefix++) {
            StringBuilder asm = new StringBuilder();
            for (int i = 0; i < prefix; i++) {
                asm.append(i % 2 == 0 ? "mov %r1, 1\n" : "add %r6, 1\n");
            }
            asm.append("ja +0\nmov %r0, 3\nexit\n");
            try (JitImage image = compile(Assembler.assemble(asm.toString()), List.of(probe(prefix, new int[0])))) {
                ProbeSite site = image.probeSites().get(0);
                assertTrue((site.nativeOffset() & 7) <= 3, "site at " + site.nativeOffset() + " crosses an 8-byte word");
                assertEquals(image.address() + site.nativeOffset(), site.address());
                assertArrayEquals(X86Assembler.NOP5, Arrays.copyOfRange(image.code(), site.nativeOffset(), site.nativeOffset() + 5));
                int slot = image.slotOffsets()[prefix];
                int padding = site.nativeOffset() - slot;
                paddings.add(padding);
                assertTrue(padding >= 0 && padding <= 4, "the NOP follows its slot's prefixes, found " + padding + " bytes");
                for (int i = slot; i < site.nativeOffset(); i++) {
                    assertEquals(X86Assembler.CS, image.code()[i] & 0xff, "byte " + i + " of the site is a CS prefix, not a NOP of its own");
                }
                buf.set(ValueLayout.JAVA_LONG, 0, 0);
                try (JitImage obs = jit.compile(new JitRequest("count", ProgramType.TRACING, count, List.of(), List.of(), null, List.of(), null));
                     Trampoline tramp = jit.createTrampoline(new FuncModel(0, new int[0], new boolean[0], new int[0], 0), new long[] {obs.entryAddress()})) {
                    assertEquals(3L, (long) image.entry().invokeExact(0L));
                    image.attachProbe(0, tramp);
                    assertEquals(3L, (long) image.entry().invokeExact(0L));
                    image.detachProbe(0);
                    assertEquals(3L, (long) image.entry().invokeExact(0L));
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
                assertEquals(1, buf.get(ValueLayout.JAVA_LONG, 0), "called once, while attached, with " + padding + " prefixes");
            }
        }
        assertEquals(java.util.Set.of(0, 1, 2, 3, 4), paddings, "sites at every position in a word were tried");
    }

    @Test
    void anAttachedObserverSeesTheArgumentsAndTheProgramKeepsItsRegisters() {
        MemorySegment ctx = arena.allocate(80, 8);
        MemorySegment buf = arena.allocate(32, 8);
        try (JitImage target = compile(Assembler.assemble(TARGET), List.of(probe(PROBE_SLOT, MODEL.argRegs())));
             JitImage obs = observer(buf);
             Trampoline tramp = jit.createTrampoline(MODEL, new long[] {obs.entryAddress()})) {
            byte[] nop = target.code();
            run(target, ctx);
            assertEquals(0, buf.get(ValueLayout.JAVA_LONG, 0), "nothing attached, nothing observed");

            assertTrue(callsAddress((X86Trampoline) tramp, obs.entryAddress() + 16), "an observer of this JIT is entered at its main function");
            target.attachProbe(0, tramp);
            run(target, ctx);
            assertArrayEquals(new long[] {1, 0xff, 0xffffffff80000000L, 0x1122334455667788L}, longs(buf, 4),
                    "u8 zero-extended, s32 sign-extended, u64 as is");
            long[] regs = longs(ctx, 10);
            assertArrayEquals(REGISTERS_AFTER, Arrays.copyOf(regs, 9), "the probe is invisible to the program");
            assertEquals(ctx.address(), regs[9], "its stack too");

            target.detachProbe(0);
            run(target, ctx);
            assertEquals(1, buf.get(ValueLayout.JAVA_LONG, 0), "detached: not called again");
            int site = target.probeSites().get(0).nativeOffset();
            MemorySegment live = MemorySegment.ofAddress(target.address()).reinterpret(nop.length);
            assertArrayEquals(Arrays.copyOfRange(nop, site, site + 5), live.asSlice(site, 5).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void observersAreCalledInTheirOrder() {
        MemorySegment ctx = arena.allocate(80, 8);
        MemorySegment buf = arena.allocate(8, 8);
        List<Insn> addOne = withBuffer("ldxdw %r3, [%r2+0]\nadd %r3, 1\nstxdw [%r2+0], %r3\nmov %r0, 0\nexit", buf);
        List<Insn> timesTen = withBuffer("ldxdw %r3, [%r2+0]\nmul %r3, 10\nstxdw [%r2+0], %r3\nmov %r0, 0\nexit", buf);
        try (JitImage target = compile(Assembler.assemble(TARGET), List.of(probe(PROBE_SLOT, new int[0])));
             JitImage first = jit.compile(new JitRequest("a", ProgramType.TRACING, addOne, List.of(), List.of(), null, List.of(), null));
             JitImage second = jit.compile(new JitRequest("b", ProgramType.TRACING, timesTen, List.of(), List.of(), null, List.of(), null));
             Trampoline tramp = jit.createTrampoline(new FuncModel(0, new int[0], new boolean[0], new int[0], 0),
                     new long[] {first.entryAddress(), second.entryAddress()})) {
            target.attachProbe(0, tramp);
            run(target, ctx);
            assertEquals(10, buf.get(ValueLayout.JAVA_LONG, 0), "(0 + 1) * 10: the first observer ran first");
        }
    }

    private static final java.util.concurrent.atomic.AtomicLong SEEN = new java.util.concurrent.atomic.AtomicLong();

    /** A Java observer: adds its second argument to {@link #SEEN}. */
    static long javaObserver(long args) {
        SEEN.addAndGet(MemorySegment.ofAddress(args).reinterpret(16).get(ValueLayout.JAVA_LONG, 8));
        return 0;
    }

    /** An observer that is not code of this JIT (here an FFM upcall stub) is called at its System V entry. */
    @Test
    void anyNativeFunctionCanObserve() throws ReflectiveOperationException {
        MemorySegment ctx = arena.allocate(80, 8);
        var handle = java.lang.invoke.MethodHandles.lookup().findStatic(ProbeSiteTest.class, "javaObserver",
                java.lang.invoke.MethodType.methodType(long.class, long.class));
        MemorySegment stub = java.lang.foreign.Linker.nativeLinker().upcallStub(handle,
                java.lang.foreign.FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), arena);
        SEEN.set(0);
        try (JitImage target = compile(Assembler.assemble(TARGET), List.of(probe(PROBE_SLOT, MODEL.argRegs())));
             Trampoline tramp = jit.createTrampoline(MODEL, new long[] {stub.address()})) {
            assertTrue(callsAddress((X86Trampoline) tramp, stub.address()), "any other function is called at its entry");
            target.attachProbe(0, tramp);
            run(target, ctx);
            run(target, ctx);
            assertEquals(2 * 0xffffffff80000000L, SEEN.get(), "the s32 argument, sign-extended, twice");
            assertArrayEquals(REGISTERS_AFTER, Arrays.copyOf(longs(ctx, 9), 9));
        }
    }

    /**
     * A probe in a function without a frame (a leaf that never touches r10): whatever the leaf
     * saved, its site calls the trampoline's entry for its stack alignment, so the trampoline
     * calls an observer that needs the System V alignment (an FFM upcall stub) on an aligned
     * stack; and the detached site costs no frame.
     */
    @Test
    void aSiteWithoutAFrameCallsObserversOnAnAlignedStack() throws ReflectiveOperationException {
        var handle = java.lang.invoke.MethodHandles.lookup().findStatic(ProbeSiteTest.class, "javaObserver",
                java.lang.invoke.MethodType.methodType(long.class, long.class));
        MemorySegment stub = java.lang.foreign.Linker.nativeLinker().upcallStub(handle,
                java.lang.foreign.FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), arena);
        // r6, r7 and r8 written: the leaf saves none, one, two or three callee-saved registers
        String[] prologues = {"", "mov %r6, 0x1ff\n", "mov %r6, 0x1ff\nmov %r7, 7\n", "mov %r6, 0x1ff\nmov %r7, 7\nmov %r8, 8\n"};
        for (String saves : prologues) {
            List<Insn> leaf = Assembler.assemble(saves + "mov32 %r1, 0x80000000\nlddw %r0, 0x1122334455667788\nja +0\nmov %r0, 0\nexit\n");
            int slot = leaf.indexOf(Insn.ja(0));
            SEEN.set(0);
            FuncModel model = new FuncModel(2, new int[] {8, 4}, new boolean[] {false, true}, new int[] {0, 1}, 0);
            try (JitImage target = compile(leaf, List.of(probe(slot, model.argRegs())));
                 Trampoline tramp = jit.createTrampoline(model, new long[] {stub.address()})) {
                byte[] frame = {0x55, 0x48, (byte) 0x89, (byte) 0xe5}; // push rbp; mov rbp, rsp
                assertFalse(contains(target.code(), frame), "a leaf keeps no frame for its probe");
                assertEquals(saves.lines().count() % 2 == 1, ((X86JitImage) target).nativeCode().probeStackAligned()[0],
                        "rsp at the site after the saves");
                target.attachProbe(0, tramp);
                run(target, arena.allocate(8, 8));
                run(target, arena.allocate(8, 8));
                assertEquals(2 * 0xffffffff80000000L, SEEN.get(), "called twice with " + saves.lines().count() + " saved registers");
            }
        }
    }

    private static boolean contains(byte[] code, byte[] pattern) {
        for (int i = 0; i + pattern.length <= code.length; i++) {
            if (Arrays.equals(code, i, i + pattern.length, pattern, 0, pattern.length)) {
                return true;
            }
        }
        return false;
    }

    private static List<Insn> withBuffer(String asm, MemorySegment buf) {
        List<Insn> out = new ArrayList<>(List.of(Insn.lddw(2, 0, buf.address())));
        out.addAll(Assembler.assemble(asm));
        return out;
    }

    /**
     * Two threads run the target in native loops while this thread attaches and detaches an
     * observer over and over: no crash, and the observer never sees more runs than there were.
     */
    @Test
    void patchingWhileOtherThreadsRunTheCode() throws Exception {
        MemorySegment buf = arena.allocate(32, 8);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong runs = new AtomicLong();
        try (JitImage target = compile(Assembler.assemble(TARGET), List.of(probe(PROBE_SLOT, MODEL.argRegs())));
             JitImage obs = observer(buf);
             Trampoline tramp = jit.createTrampoline(MODEL, new long[] {obs.entryAddress()})) {
            MethodHandle batch = target.batchEntry();
            List<Thread> runners = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < 2; t++) {
                MemorySegment ctx = arena.allocate(80, 8);
                Thread th = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            long r0 = (long) batch.invokeExact(ctx.address(), 10_000L);
                            assertEquals(0, r0);
                            runs.addAndGet(10_000);
                            assertArrayEquals(REGISTERS_AFTER, Arrays.copyOf(longs(ctx, 9), 9));
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                th.start();
                runners.add(th);
            }
            for (int i = 0; i < 2000; i++) {
                target.attachProbe(0, tramp);
                Thread.onSpinWait();
                target.detachProbe(0);
            }
            target.attachProbe(0, tramp);
            // attached until some run went through it, however slowly the runners are scheduled
            while (buf.get(ValueLayout.JAVA_LONG, 0) == 0 && failures.isEmpty()) {
                Thread.yield();
            }
            target.detachProbe(0);
            stop.set(true);
            for (Thread th : runners) {
                th.join();
            }
            assertEquals(List.of(), failures);
            long observed = buf.get(ValueLayout.JAVA_LONG, 0);
            assertTrue(observed > 0 && observed <= runs.get(), observed + " observations of " + runs.get() + " runs");
        }
    }

    /** A trampoline beyond rel32 reach is called through the site's thunk (checked in the code; not run: nothing is there). */
    @Test
    void aFarTrampolineIsReachedThroughTheThunk() {
        try (X86JitImage target = (X86JitImage) compile(Assembler.assemble(TARGET), List.of(probe(PROBE_SLOT, new int[0])))) {
            long far = target.address() + (1L << 40);
            int site = target.probeSites().get(0).nativeOffset();
            int thunk = target.nativeCode().probeThunkOffsets()[0];
            MemorySegment code = MemorySegment.ofAddress(target.address()).reinterpret(target.code().length);
            target.attachProbe(0, new Trampoline() {
                @Override
                public long address() {
                    return far;
                }

                @Override
                public void close() {
                }
            });
            assertEquals((byte) 0xe8, code.get(ValueLayout.JAVA_BYTE, site), "call rel32");
            int rel = code.get(ValueLayout.JAVA_INT_UNALIGNED, site + 1);
            assertEquals(thunk, site + 5 + rel, "to the thunk");
            assertEquals(far, code.get(ValueLayout.JAVA_LONG, target.nativeCode().probeThunkTargets()[0]), "which jumps to the trampoline");
            target.detachProbe(0);
            assertArrayEquals(X86Assembler.NOP5, code.asSlice(site, 5).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void probesAreRefusedWhereTheyCannotWork() {
        try (JitImage target = compile(Assembler.assemble(TARGET), List.of(probe(PROBE_SLOT, new int[0])))) {
            BpfException e = assertThrows(BpfException.class, () -> target.detachProbe(1));
            assertEquals(Errno.ENOENT, e.errno());
        }
        BpfException e = assertThrows(BpfException.class, () -> compile(Assembler.assemble(TARGET), List.of(probe(PROBE_SLOT - 1, new int[0]))));
        assertEquals(Errno.EINVAL, e.errno(), "a probe must sit on a 'goto +0'");
        X86JitCompiler without = new X86JitCompiler(CpuFeatures.ofHost(), false);
        e = assertThrows(BpfException.class, () -> without.createTrampoline(MODEL, new long[0]));
        assertEquals(Errno.ENOTSUPP, e.errno());
    }
}
