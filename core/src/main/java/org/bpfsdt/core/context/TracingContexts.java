package org.bpfsdt.core.context;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Set;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.spi.FuncModel;

/** Test-run contexts of tracing programs: the u64 argument array, the same natively as in the program's view. */
public final class TracingContexts implements ContextBuilder {
    @Override
    public Set<ProgramType> types() {
        return Set.of(ProgramType.TRACING, ProgramType.RAW_TRACEPOINT);
    }

    @Override
    public TestContext prepare(ProgramType type, TestRunSpec spec, Arena arena) {
        byte[] in = spec.ctxIn() == null ? new byte[0] : spec.ctxIn();
        if (in.length % 8 != 0 || in.length > 8 * 12) {
            throw new BpfException(Errno.EINVAL, "a tracing context is an array of u64 arguments: " + in.length + " bytes given");
        }
        if (spec.dataIn() != null && spec.dataIn().length > 0) {
            throw new BpfException(Errno.EINVAL, "tracing programs take no packet data");
        }
        // room for the most arguments a tracing program may read, zeroed beyond what was given
        MemorySegment ctx = arena.allocate(Math.max(in.length, 8L * FuncModel.MAX_REG_ARGS), 8);
        MemorySegment.copy(in, 0, ctx, ValueLayout.JAVA_BYTE, 0, in.length);
        boolean given = spec.ctxIn() != null;
        return new TestContext() {
            @Override
            public long address() {
                return ctx.address();
            }

            @Override
            public byte[] dataOut() {
                return new byte[0];
            }

            @Override
            public byte[] ctxOut() {
                return given ? ctx.asSlice(0, in.length).toArray(ValueLayout.JAVA_BYTE) : new byte[0];
            }
        };
    }
}
