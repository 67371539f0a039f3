package org.bpfsdt.jit.x86_64;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;

import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.jit.x86_64.image.X86JitImage;

/** Compiles programs for tests and runs them the way a raw run does: r1 = memory, r2 = its length. */
@SuppressWarnings("restricted")
public final class NativeRun {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor HELPER = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    /** The conformance suite's helpers: 5 returns r1 (ubpf's "unwind"). */
    public static final IntToLongFunction CONFORMANCE_HELPERS = helpers(Map.of(5, "identity"));

    private NativeRun() {
    }

    /** The result of a run: r0 and the memory afterwards. */
    public record Result(long r0, byte[] memAfter) {
    }

    public static JitRequest request(String name, List<Insn> insns, IntToLongFunction helpers) {
        return new JitRequest(name, ProgramType.UNSPEC, insns, List.of(), List.of(), helpers, List.of(), null);
    }

    public static JitRequest request(String asm) {
        return request("test", Assembler.assemble(asm), CONFORMANCE_HELPERS);
    }

    /** A request as the verifier hands one over: functions with their stack depths. */
    public static JitRequest request(List<Insn> insns, List<org.bpfsdt.api.spi.Subprog> subprogs, IntToLongFunction helpers,
                                     org.bpfsdt.api.spi.RuntimeLinkage runtime) {
        return new JitRequest("test", ProgramType.UNSPEC, insns, List.of(), subprogs, helpers, List.of(), runtime);
    }

    /** {@code insns} with the LDDW at {@code slot} turned into a {@code BPF_PSEUDO_FUNC} load of the function at {@code target}. */
    public static List<Insn> withFunctionAddress(List<Insn> insns, int slot, int target) {
        List<Insn> out = new java.util.ArrayList<>(insns);
        Insn lddw = out.get(slot);
        out.set(slot, new Insn(lddw.opcode(), lddw.dst(), org.bpfsdt.api.isa.Opcodes.PSEUDO_FUNC, 0, target - slot - 1));
        out.set(slot + 1, new Insn(0, 0, 0, 0, 0));
        return out;
    }

    /** {@code insns} with the LDDW at {@code slot} loading {@code value}. */
    public static List<Insn> withImm64(List<Insn> insns, int slot, long value) {
        List<Insn> out = new java.util.ArrayList<>(insns);
        Insn[] l = Insn.lddw(out.get(slot).dst(), 0, value);
        out.set(slot, l[0]);
        out.set(slot + 1, l[1]);
        return out;
    }

    /** Runs {@code image} once with {@code mem} copied to native memory (r1 = 0 when empty). */
    public static Result run(JitImage image, byte[] mem) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = mem.length == 0 ? MemorySegment.NULL : arena.allocate(mem.length, 8);
            m.copyFrom(MemorySegment.ofArray(mem));
            long r0 = (long) ((X86JitImage) image).rawEntry().invokeExact(m.address(), (long) mem.length);
            return new Result(r0, mem.length == 0 ? mem : m.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    // helpers: upcall stubs of static methods (r1..r5) -> r0

    static long identity(long r1, long r2, long r3, long r4, long r5) {
        return r1;
    }

    static long sum(long r1, long r2, long r3, long r4, long r5) {
        return r1 + r2 + r3 + r4 + r5;
    }

    /** A tail call fallback ({@code f(ctx, map, index)}) that tells the test it ran. */
    static long fallback(long ctx, long map, long index, long r4, long r5) {
        return 4242 + index;
    }

    static long mix(long r1, long r2, long r3, long r4, long r5) {
        return r1 * 31 ^ r2 * 17 ^ r3 * 13 ^ r4 * 7 ^ r5;
    }

    /** Helper addresses by number from static methods of this class by name. */
    public static IntToLongFunction helpers(Map<Integer, String> byId) {
        Map<Integer, Long> addresses = new java.util.HashMap<>();
        byId.forEach((id, method) -> addresses.put(id, upcall(method)));
        return id -> addresses.getOrDefault(id, 0L);
    }

    /** The native address of {@code helper}: an upcall stub taking r1..r5 and returning r0. */
    public static long upcall(org.bpfsdt.api.RawRunOptions.RawHelper helper) {
        try {
            MethodHandle h = MethodHandles.lookup().findVirtual(org.bpfsdt.api.RawRunOptions.RawHelper.class, "call",
                    MethodType.methodType(long.class, long.class, long.class, long.class, long.class, long.class)).bindTo(helper);
            return LINKER.upcallStub(h, HELPER, Arena.global()).address();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static long upcall(String method) {
        try {
            MethodHandle h = MethodHandles.lookup().findStatic(NativeRun.class, method,
                    MethodType.methodType(long.class, long.class, long.class, long.class, long.class, long.class));
            return LINKER.upcallStub(h, HELPER, Arena.global()).address();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
