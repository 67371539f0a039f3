package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Disassembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.HelperProtos;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.junit.jupiter.api.Test;

/**
 * Soundness: random programs ({@link ProgramGenerator}) go through the verifier; every one it
 * accepts runs, as rewritten, on core's checked interpreter, which traps any access outside the
 * run's stack, context, packet and map values and any read of stack bytes never written. Any
 * trap fails the test. The normal run generates {@value #DEFAULT_PROGRAMS} programs (over 5,000 accepted and run); for millions:
 * {@code ./mvnw -B -o -pl verifier -am test -Dtest=SoundnessTest -Dsoundness.programs=2000000
 * -Dsoundness.seed=7 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class SoundnessTest {
    static final int DEFAULT_PROGRAMS = 20000;

    @Test
    void acceptedProgramsNeverTrap() {
        int count = Integer.getInteger("soundness.programs", DEFAULT_PROGRAMS);
        long seed = Long.getLong("soundness.seed", 20261124L);
        Random rnd = new Random(seed);
        BpfVerifier verifier = new BpfVerifier();
        int accepted = 0, ran = 0, constants = 0, globals = 0, statics = 0;
        long verifyNanos = 0;
        java.util.Map<String, Integer> reasons = new java.util.TreeMap<>();
        try (BpfRuntime rt = ServiceLoader.load(BpfRuntime.class).findFirst().orElseThrow(); Arena arena = Arena.ofConfined()) {
            // each region is followed by a gap the checked run does not allow, so an access just past one traps
            MemorySegment values = guarded(arena, (long) ProgramGenerator.ENTRIES * ProgramGenerator.VALUE_SIZE);
            MemorySegment single = guarded(arena, ProgramGenerator.VALUE_SIZE);
            MemorySegment packet = guarded(arena, ProgramGenerator.PACKET_LEN + 64);
            MemorySegment rodata = guarded(arena, ProgramGenerator.RODATA_SIZE);
            List<MapDescriptor> maps = List.of(
                    new MapDescriptor(1, MapType.ARRAY, 4, ProgramGenerator.VALUE_SIZE, ProgramGenerator.ENTRIES, 0, false, null, 0, -1,
                            0x7000_0000L, values.address(), Optional.of(inlineArrayLookup(values.address()))),
                    new MapDescriptor(2, MapType.ARRAY, 4, ProgramGenerator.VALUE_SIZE, 1, 0, false, null, 0, -1, 0x7100_0000L,
                            single.address(), Optional.empty()),
                    new MapDescriptor(3, MapType.ARRAY, 4, ProgramGenerator.RODATA_SIZE, 1, MapFlags.RDONLY_PROG, true, null, 0, -1, 0x7200_0000L,
                            rodata.address(), Optional.empty()));
            RawRunOptions options = RawRunOptions.interpreter().inCheckedMode()
                    .withRegion(new RawRunOptions.Region(values.address(), values.byteSize(), true, "array values"))
                    .withRegion(new RawRunOptions.Region(single.address(), single.byteSize(), true, "global value"))
                    .withRegion(new RawRunOptions.Region(rodata.address(), rodata.byteSize(), false, "read-only value"))
                    .withRegion(new RawRunOptions.Region(packet.address(), packet.byteSize(), true, "packet"))
                    .withHelper(5, (a, b, c, d, e) -> System.nanoTime())
                    .withHelper(7, (a, b, c, d, e) -> rnd.nextInt() & 0xffffffffL)
                    .withHelper(8, (a, b, c, d, e) -> 0);
            for (int i = 0; i < count; i++) {
                ProgramType type = i % 2 == 0 ? ProgramType.XDP : ProgramType.TRACING;
                ProgramGenerator gen = new ProgramGenerator(rnd, type);
                String asm = gen.generate(2 + rnd.nextInt(12));
                List<Insn> insns = Assembler.assemble(asm);
                // the frozen value the verifier reads is the one the program runs with
                MemorySegment.copy(gen.rodata(), 0, rodata, ValueLayout.JAVA_BYTE, 0, ProgramGenerator.RODATA_SIZE);
                FuncBtf btf = gen.funcs() == null ? null : FuncBtf.of(gen.funcs(), insns, ContextLayouts.forType(type, 5).name());
                VerifierResult r;
                long t0 = System.nanoTime();
                try {
                    r = verifier.verify(request(type, insns, maps, btf));
                } catch (BpfException e) {
                    assertNotEquals(Errno.EFAULT, e.errno(), () -> "verifier failure on\n" + asm + "\n" + e.log());
                    reasons.merge(e.reason().replaceAll("-?[0-9]+", "N"), 1, Integer::sum);
                    verifyNanos += System.nanoTime() - t0;
                    continue;
                }
                verifyNanos += System.nanoTime() - t0;
                accepted++;
                constants += gen.readsConstants() ? 1 : 0;
                globals += gen.callsGlobal() ? 1 : 0;
                statics += gen.callsStatic() ? 1 : 0;
                byte[] mem = type == ProgramType.XDP ? xdpContext(packet, rnd.nextInt(ProgramGenerator.PACKET_LEN + 1)) : tracingArgs(rnd);
                try {
                    rt.runUnverified(r.insns(), mem, options);
                } catch (BpfException trap) {
                    fail("accepted program trapped: " + trap.getMessage() + "\n--- program\n" + asm + "--- rewritten\n"
                            + Disassembler.disassemble(r.insns()));
                }
                ran++;
            }
        }
        if (Boolean.getBoolean("soundness.reasons")) {
            reasons.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(25)
                    .forEach(e -> System.out.println(e.getValue() + "\t" + e.getKey()));
        }
        System.out.printf("soundness: %d programs, %d accepted and run on the checked interpreter without a trap (verification %.1f s);"
                + " of those, %d load read-only constants, %d call a global function, %d a static one%n", count, ran, verifyNanos / 1e9, constants,
                globals, statics);
        assertTrue(accepted > count / 4, "too few programs accepted (" + accepted + " of " + count + ") to say much");
    }

    private static MemorySegment guarded(Arena arena, long size) {
        return arena.allocate(size + 256, 8).asSlice(0, size);
    }

    static VerifierRequest request(ProgramType type, List<Insn> insns, List<MapDescriptor> maps, FuncBtf btf) {
        return new VerifierRequest(type, type == ProgramType.TRACING ? org.bpfsdt.api.AttachType.TRACE_RAW_TP : null, insns, maps,
                btf == null ? null : btf.btf(), btf == null ? List.of() : btf.funcInfo(), List.of(), HelperProtos.forProgramType(type),
                ContextLayouts.forType(type, 5), null, 0, List.of(), true, 0);
    }

    /** {@code bpf_map_lookup_elem} on an array, inlined: r0 = key < entries ? values + key * size : 0. */
    static List<Insn> inlineArrayLookup(long valuesAddress) {
        List<Insn> l = new ArrayList<>();
        l.add(Insn.ldx(Opcodes.W, 0, 2, 0));
        l.add(Insn.jmpImm(Opcodes.JGE, 0, ProgramGenerator.ENTRIES, 5));
        l.add(Insn.alu64Imm(Opcodes.MUL, 0, ProgramGenerator.VALUE_SIZE));
        l.addAll(List.of(Insn.lddw(1, 0, valuesAddress)));
        l.add(Insn.alu64Reg(Opcodes.ADD, 0, 1));
        l.add(Insn.ja(1));
        l.add(Insn.mov64Imm(0, 0));
        return l;
    }

    /** The native XDP context: data and data_end around {@code len} bytes of the packet region. */
    static byte[] xdpContext(MemorySegment packet, int len) {
        ByteBuffer b = ByteBuffer.allocate(ContextLayouts.XDP_NATIVE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long data = packet.address() + 32;
        b.putLong(ContextLayouts.XDP_DATA, data);
        b.putLong(ContextLayouts.XDP_DATA_END, data + len);
        b.putLong(ContextLayouts.XDP_DATA_META, data);
        b.putLong(ContextLayouts.XDP_DATA_HARD_START, packet.address());
        b.putInt(ContextLayouts.XDP_INGRESS_IFINDEX, 3);
        b.putInt(ContextLayouts.XDP_RX_QUEUE_INDEX, 1);
        b.putLong(ContextLayouts.XDP_DATA_HARD_END, packet.address() + packet.byteSize());
        return b.array();
    }

    static byte[] tracingArgs(Random rnd) {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 5; i++) {
            b.putLong(rnd.nextLong());
        }
        return b.array();
    }
}
