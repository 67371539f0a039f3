package org.bpfsdt.core.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Arrays;
import java.util.function.Supplier;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.core.interp.CallTarget;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.Helper;
import org.bpfsdt.core.interp.TailCallResolver;

/**
 * What native code calls back into: one upcall stub per helper number (System V / AAPCS64 /
 * RISC-V convention, {@code long f(long r1, ..., long r5)}), which finds the calling thread's
 * run and its helper table, and the tail-call fallback of {@link RuntimeLinkage}. Stubs are made
 * on first use and live until the runtime closes. A Java exception must not unwind through
 * native frames, so a helper that throws is recorded on the thread's state and rethrown once
 * the native run returns (see {@link ExecState#runNative}).
 */
final class NativeLinkage implements RuntimeLinkage, AutoCloseable {
    private static final FunctionDescriptor HELPER = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
    private static final FunctionDescriptor TAIL = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
    private static final FunctionDescriptor ENTRY = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
    private static final MethodHandle DISPATCH;
    private static final MethodHandle TAIL_CALL;
    private static final MethodHandle RUN_PROGRAM;

    static {
        try {
            var lookup = MethodHandles.lookup();
            DISPATCH = lookup.findVirtual(NativeLinkage.class, "dispatch",
                    MethodType.methodType(long.class, int.class, long.class, long.class, long.class, long.class, long.class));
            TAIL_CALL = lookup.findVirtual(NativeLinkage.class, "tailCall",
                    MethodType.methodType(long.class, long.class, long.class, long.class));
            RUN_PROGRAM = lookup.findVirtual(NativeLinkage.class, "runProgram",
                    MethodType.methodType(long.class, LoadedProgram.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Supplier<ExecState> states;
    private final TailCallResolver tailCalls;
    private final Arena arena = Arena.ofShared();
    private volatile long[] stubs = new long[0];
    private volatile long tailStub;

    NativeLinkage(Supplier<ExecState> states, TailCallResolver tailCalls) {
        this.states = states;
        this.tailCalls = tailCalls;
    }

    /** The native entry of helper {@code id} for JIT code (a stub that dispatches per run). */
    synchronized long helperAddress(int id) {
        if (id < 0 || id >= org.bpfsdt.core.interp.HelperTable.CAPACITY) {
            return 0;
        }
        long[] s = stubs;
        if (id < s.length && s[id] != 0) {
            return s[id];
        }
        MethodHandle target = MethodHandles.insertArguments(DISPATCH.bindTo(this), 0, id);
        MemorySegment stub = Linker.nativeLinker().upcallStub(target, HELPER, arena);
        long[] n = Arrays.copyOf(s, Math.max(s.length, id + 1));
        n[id] = stub.address();
        stubs = n;
        return stub.address();
    }

    @Override
    public synchronized long tailCallFallback() {
        if (tailStub == 0) {
            tailStub = Linker.nativeLinker().upcallStub(TAIL_CALL.bindTo(this), TAIL, arena).address();
        }
        return tailStub;
    }

    /**
     * A native entry {@code long f(long ctx)} that runs {@code program} on its current engine, in
     * {@code arena}: how native code (an SDT trampoline) calls a program that has no native code.
     */
    long programEntry(LoadedProgram program, Arena arena) {
        MethodHandle target = MethodHandles.insertArguments(RUN_PROGRAM.bindTo(this), 0, program);
        return Linker.nativeLinker().upcallStub(target, ENTRY, arena).address();
    }

    @SuppressWarnings("unused") // called from native code
    private long runProgram(LoadedProgram program, long ctx) {
        ExecState st = states.get();
        try {
            return program.engine().run(st, ctx);
        } catch (Throwable t) {
            st.recordFault(t);
            return 0;
        }
    }

    @SuppressWarnings("unused") // called from native code
    private long dispatch(int id, long r1, long r2, long r3, long r4, long r5) {
        ExecState st = states.get();
        try {
            Helper h = st.nativeHelper(id);
            if (h == null) {
                return -Errno.EINVAL.code();
            }
            return h.call(st, r1, r2, r3, r4, r5);
        } catch (Throwable t) {
            st.recordFault(t);
            return 0;
        }
    }

    @SuppressWarnings("unused") // called from native code
    private long tailCall(long ctx, long map, long index) {
        ExecState st = states.get();
        try {
            CallTarget t = tailCalls.resolve(map, index);
            return t == null ? 0 : t.run(st, ctx);
        } catch (Throwable e) {
            st.recordFault(e);
            return 0;
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
