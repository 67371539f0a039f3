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

/** Compiles programs for tests and runs them the way a raw run does: r1 = memory, r2 = its length. */
public final class NativeRun {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor HELPER = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor RAW_ENTRY = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG);

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

    /** Runs {@code image} once with {@code mem} copied to native memory (r1 = 0 when empty). */
    public static Result run(JitImage image, byte[] mem) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = mem.length == 0 ? MemorySegment.NULL : arena.allocate(mem.length, 8);
            m.copyFrom(MemorySegment.ofArray(mem));
            MethodHandle entry = LINKER.downcallHandle(MemorySegment.ofAddress(image.entryAddress()), RAW_ENTRY);
            long r0 = (long) entry.invokeExact(m.address(), (long) mem.length);
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

    static long mix(long r1, long r2, long r3, long r4, long r5) {
        return r1 * 31 ^ r2 * 17 ^ r3 * 13 ^ r4 * 7 ^ r5;
    }

    /** Helper addresses by number from static methods of this class by name. */
    public static IntToLongFunction helpers(Map<Integer, String> byId) {
        Map<Integer, Long> addresses = new java.util.HashMap<>();
        byId.forEach((id, method) -> addresses.put(id, upcall(method)));
        return id -> addresses.getOrDefault(id, 0L);
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
