package org.bpfsdt.core.runtime;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.LinkType;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.InsnAux;
import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.LinkBackend;
import org.bpfsdt.api.spi.LinkContext;
import org.bpfsdt.api.spi.LinkProvider;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.MapProvider;
import org.bpfsdt.api.spi.ProbeSite;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.api.spi.Subprog;
import org.bpfsdt.api.spi.Verifier;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.HelperTable;
import org.bpfsdt.core.interp.Interpreter;

/** Small, real implementations of the SPIs the runtime finds as services, for tests of the runtime itself. */
public final class TestServices {
    private TestServices() {
    }

    /** ARRAY maps in native memory: enough of a map provider to load and run programs with maps. */
    public static final class ArrayMaps implements MapProvider {
        public final AtomicInteger open = new AtomicInteger();

        @Override
        public Set<MapType> types() {
            return Set.of(MapType.ARRAY);
        }

        @Override
        public MapBackend create(MapSpec spec, MapContext context) {
            if (spec.keySize() != 4 || spec.valueSize() <= 0 || spec.maxEntries() <= 0) {
                throw new BpfException(Errno.EINVAL, "array maps have 4-byte keys and values");
            }
            Arena arena = Arena.ofShared();
            MemorySegment values = arena.allocate((long) spec.valueSize() * spec.maxEntries(), 8);
            open.incrementAndGet();
            return new MapBackend() {
                @Override
                public MapSpec spec() {
                    return spec;
                }

                @Override
                public long data() {
                    return values.address();
                }

                private long at(int index) {
                    return index >= 0 && index < spec.maxEntries() ? values.address() + (long) index * spec.valueSize() : 0;
                }

                @Override
                public long lookup(long keyAddr) {
                    return at((int) org.bpfsdt.core.exec.NativeMemory.u32(keyAddr));
                }

                @Override
                public long update(long keyAddr, long valueAddr, long flags) {
                    long v = lookup(keyAddr);
                    if (v == 0) {
                        return -Errno.E2BIG.code();
                    }
                    MemorySegment.copy(MemorySegment.ofAddress(valueAddr).reinterpret(spec.valueSize()), 0,
                            values, v - values.address(), spec.valueSize());
                    return 0;
                }

                @Override
                public long delete(long keyAddr) {
                    return -Errno.EINVAL.code();
                }

                @Override
                public boolean lookup(MemorySegment key, MemorySegment valueOut) {
                    long v = at(key.get(java.lang.foreign.ValueLayout.JAVA_INT, 0));
                    if (v == 0) {
                        return false;
                    }
                    valueOut.copyFrom(values.asSlice(v - values.address(), spec.valueSize()));
                    return true;
                }

                @Override
                public void update(MemorySegment key, MemorySegment value, long flags) {
                    long v = at(key.get(java.lang.foreign.ValueLayout.JAVA_INT, 0));
                    if (v == 0) {
                        throw new BpfException(Errno.E2BIG, "index out of range");
                    }
                    values.asSlice(v - values.address(), spec.valueSize()).copyFrom(value);
                }

                @Override
                public boolean delete(MemorySegment key) {
                    throw new BpfException(Errno.EINVAL, "array elements cannot be deleted");
                }

                @Override
                public boolean nextKey(MemorySegment key, MemorySegment nextOut) {
                    int next = key == null ? 0 : key.get(java.lang.foreign.ValueLayout.JAVA_INT, 0) + 1;
                    if (next >= spec.maxEntries()) {
                        return false;
                    }
                    nextOut.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, next);
                    return true;
                }

                @Override
                public void close() {
                    arena.close();
                    open.decrementAndGet();
                }
            };
        }
    }

    /**
     * Accepts every program and does the one rewrite engines rely on: map loads by index become
     * plain 64-bit immediates (the map's address, or its value's). Not a verifier: for runtime tests.
     */
    public static final class AcceptAll implements Verifier {
        volatile VerifierRequest last;
        volatile RuntimeException failWith;

        @Override
        public VerifierResult verify(VerifierRequest request) {
            last = request;
            if (failWith != null) {
                throw failWith;
            }
            List<Insn> out = new ArrayList<>(request.insns());
            for (int pc = 0; pc < out.size(); pc++) {
                Insn i = out.get(pc);
                if (i.isLddw() && (i.src() == PSEUDO_MAP_IDX || i.src() == PSEUDO_MAP_IDX_VALUE)) {
                    MapDescriptor m = request.maps().get(i.imm());
                    long v = i.src() == PSEUDO_MAP_IDX ? m.address() : m.valueBase() + out.get(pc + 1).imm();
                    Insn[] ld = Insn.lddw(i.dst(), PSEUDO_NONE, v);
                    out.set(pc, ld[0]);
                    out.set(pc + 1, ld[1]);
                }
                if (i.isLddw()) {
                    pc++;
                }
            }
            List<InsnAux> aux = new ArrayList<>();
            int[] map = new int[out.size()];
            for (int i = 0; i < out.size(); i++) {
                aux.add(InsnAux.plain(i));
                map[i] = i;
            }
            return new VerifierResult(out, aux, List.of(new Subprog(0, out.size(), 512, "")), map, List.of(), "accepted\n", out.size());
        }
    }

    /**
     * A JIT service double: its "native code" is a method handle that runs the interpreter on the
     * request's instructions, so it behaves exactly like the program and counts what resolution does
     * to it (compiles, closes, runs in flight).
     */
    public static final class FakeJit implements JitCompiler {
        /** Where the double's images claim to be: a range no code is mapped at. */
        static final long FAKE_CODE = 0x7e00_0000_0000L;

        final String arch;
        final boolean onHost;
        final boolean sdt;
        final AtomicInteger compiles = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        final AtomicInteger runs = new AtomicInteger();
        /** Test-run batches that came through the batch entry. */
        public final AtomicInteger batches = new AtomicInteger();
        volatile boolean refuse;
        /** Set when an image was closed while a run was inside it. */
        volatile boolean closedWhileRunning;
        private final Interpreter interpreter = new Interpreter(null);
        private final ThreadLocal<ExecState> states = ThreadLocal.withInitial(() -> interpreter.newState(0));

        public FakeJit(String arch, boolean onHost, boolean sdt) {
            this.arch = arch;
            this.onHost = onHost;
            this.sdt = sdt;
        }

        @Override
        public String architecture() {
            return arch;
        }

        @Override
        public boolean supportsSdtProbes() {
            return sdt;
        }

        @Override
        public boolean runsOnHost() {
            return onHost;
        }

        @Override
        public JitImage compile(JitRequest request) {
            if (refuse) {
                throw new BpfException(Errno.ENOTSUPP, arch + " double refuses " + request.name());
            }
            int n = compiles.incrementAndGet();
            DecodedProgram p = DecodedProgram.decode(request.insns(), nativeHelpers(request), false, 0, request.name());
            return new Image(p, request.insns().size(), FAKE_CODE + 0x10_0000L * n);
        }

        /** Helpers as native code calls them: a downcall to the runtime's upcall stub for each helper number used. */
        private static HelperTable nativeHelpers(JitRequest request) {
            HelperTable t = new HelperTable();
            java.util.Set<Integer> ids = new java.util.TreeSet<>();
            for (Insn i : request.insns()) {
                if (i.isHelperCall()) {
                    ids.add(i.imm());
                } else if (i.opcode() == CALLX_OP) {
                    for (int id = 0; id < 16; id++) {
                        ids.add(id);
                    }
                }
            }
            var desc = java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG,
                    java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG,
                    java.lang.foreign.ValueLayout.JAVA_LONG);
            for (int id : ids) {
                long addr = request.helperAddress().applyAsLong(id);
                if (addr == 0 || id == org.bpfsdt.api.HelperId.TAIL_CALL.id()) {
                    continue;
                }
                MethodHandle mh = java.lang.foreign.Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(addr), desc);
                t.register(id, null, (st, a, b, c, d, e) -> {
                    try {
                        return (long) mh.invokeExact(a, b, c, d, e);
                    } catch (Throwable x) {
                        throw new AssertionError(x);
                    }
                });
            }
            return t;
        }

        final class Image implements JitImage {
            private final DecodedProgram program;
            private final int slots;
            private final long address;
            private final MethodHandle entry;
            private final AtomicInteger inFlight = new AtomicInteger();
            private volatile boolean closed;

            Image(DecodedProgram program, int slots, long address) {
                this.program = program;
                this.slots = slots;
                this.address = address;
                try {
                    entry = MethodHandles.lookup().findVirtual(Image.class, "exec", MethodType.methodType(long.class, long.class)).bindTo(this);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }

            long exec(long ctx) {
                return exec2(ctx, 0);
            }

            long exec2(long ctx, long r2) {
                inFlight.incrementAndGet();
                runs.incrementAndGet();
                try {
                    if (closed) {
                        throw new AssertionError("ran a closed image");
                    }
                    long r0 = interpreter.run(states.get(), program, ctx, r2);
                    Thread.onSpinWait();
                    return r0;
                } finally {
                    inFlight.decrementAndGet();
                }
            }

            @Override
            public String architecture() {
                return arch;
            }

            @Override
            public byte[] code() {
                return new byte[16];
            }

            /** Eight bytes of "code" per slot. */
            @Override
            public int[] slotOffsets() {
                int[] offsets = new int[slots];
                java.util.Arrays.setAll(offsets, i -> 8 * i);
                return offsets;
            }

            /** An address that is only recorded (SDT maps keep it), never called: the double runs through {@link #entry()}. */
            @Override
            public long address() {
                return address;
            }

            @Override
            public MethodHandle entry() {
                return entry;
            }

            @Override
            public MethodHandle rawEntry() {
                try {
                    return MethodHandles.lookup().findVirtual(Image.class, "exec2", MethodType.methodType(long.class, long.class, long.class)).bindTo(this);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }

            /** The batch entry: loops here, as native code loops inside itself. */
            long batch(long ctx, long repeat) {
                batches.incrementAndGet();
                long r0 = 0;
                for (long i = Math.max(repeat, 1); i > 0; i--) {
                    r0 = exec(ctx);
                }
                return r0;
            }

            @Override
            public MethodHandle batchEntry() {
                try {
                    return MethodHandles.lookup().findVirtual(Image.class, "batch", MethodType.methodType(long.class, long.class, long.class))
                            .bindTo(this);
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }

            @Override
            public long entryAddress() {
                return 0;
            }

            @Override
            public List<ProbeSite> probeSites() {
                return List.of();
            }

            @Override
            public void close() {
                if (inFlight.get() > 0) {
                    closedWhileRunning = true;
                }
                closed = true;
                closes.incrementAndGet();
            }
        }
    }

    /** Links of one attach type that hold their program until detached. */
    public static final class HoldingLinks implements LinkProvider {
        final AtomicInteger attached = new AtomicInteger();

        @Override
        public Set<AttachType> attachTypes() {
            return Set.of(AttachType.TRACE_RAW_TP);
        }

        @Override
        public LinkBackend create(LinkSpec spec, LinkContext context) {
            ProgramRef[] ref = {context.reference(spec.program())};
            attached.incrementAndGet();
            return new LinkBackend() {
                @Override
                public LinkType type() {
                    return LinkType.RAW_TRACEPOINT;
                }

                @Override
                public int targetId() {
                    return 0;
                }

                @Override
                public String describe() {
                    return "test link";
                }

                @Override
                public synchronized void update(ProgramRef newProgram) {
                    if (ref[0] != null) {
                        ref[0].close();
                    }
                    ref[0] = newProgram;
                }

                @Override
                public synchronized void detach() {
                    if (ref[0] != null) {
                        ref[0].close();
                        ref[0] = null;
                        attached.decrementAndGet();
                    }
                }
            };
        }
    }
}
