package org.bpfsdt.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.maps.StandardMapProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What native code calls back into: the tail-call fallback of {@link org.bpfsdt.api.spi.RuntimeLinkage}
 * runs the program in a PROG_ARRAY slot on its own engine (for targets without native code).
 */
class NativeLinkageTest {
    private final CoreRuntime runtime = new CoreRuntime();
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;

    NativeLinkageTest() {
        runtime.addVerifier(new TestServices.AcceptAll(), Map.of());
        runtime.addMapProvider(new StandardMapProvider(), Map.of());
    }

    @AfterEach
    void close() {
        runtime.close();
        assertEquals(0, runtime.heap().liveAllocations());
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Test
    void theTailCallFallbackRunsTheSlotsProgramAndReturnsItsR0() throws Throwable {
        try (BpfProgram target = runtime.progLoad(ProgSpec.builder(ProgramType.TRACING,
                     Assembler.assemble("ldxdw %r0, [%r1+0]\nadd %r0, 1000\nexit")).name("target").build());
             BpfMap slots = runtime.mapCreate(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 4))) {
            slots.update(le32(2), le32(target.id()), MapFlags.ANY);
            long header = runtime.maps.get(slots.id()).header;
            MethodHandle fallback = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(runtime.linkage().tailCallFallback()),
                    FunctionDescriptor.of(L, L, L, L));
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                MemorySegment ctx = arena.allocate(8, 8);
                ctx.set(L, 0, 7);
                // as native code calls it: from inside a native run of the calling program
                long r0 = runtime.state().runNative(0, runtime.helpers().implementations(), ctx.address(), 0, (c, unused) -> {
                    try {
                        return (long) fallback.invokeExact(c, header, 2L);
                    } catch (Throwable t) {
                        throw new AssertionError(t);
                    }
                });
                assertEquals(1007, r0);
                assertEquals(0, (long) fallback.invokeExact(ctx.address(), header, 1L), "an empty slot runs nothing");
                assertEquals(0, (long) fallback.invokeExact(ctx.address(), header, 9L), "past max_entries");
            }
        }
    }
}
