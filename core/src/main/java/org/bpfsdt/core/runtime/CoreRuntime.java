package org.bpfsdt.core.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfLink;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfObject;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkInfo;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.MapInfo;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramInfo;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.RawRunResult;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.api.spi.LinkBackend;
import org.bpfsdt.api.spi.LinkContext;
import org.bpfsdt.api.spi.LinkProvider;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.api.spi.MapProvider;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.api.spi.Verifier;
import org.bpfsdt.core.context.ContextBuilder;
import org.bpfsdt.core.context.SkbContexts;
import org.bpfsdt.core.context.TracingContexts;
import org.bpfsdt.core.context.XdpContexts;
import org.bpfsdt.core.engine.Engines;
import org.bpfsdt.core.engine.Executable;
import org.bpfsdt.core.engine.HostArch;
import org.bpfsdt.core.engine.Jitted;
import org.bpfsdt.core.engine.ProgramCode;
import org.bpfsdt.core.exec.GracePeriods;
import org.bpfsdt.core.exec.NativeMemory;
import org.bpfsdt.core.helpers.HelperRuntime;
import org.bpfsdt.core.helpers.StandardHelpers;
import org.bpfsdt.core.interp.CallTarget;
import org.bpfsdt.core.interp.CheckedMemory;
import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.Helper;
import org.bpfsdt.core.interp.HelperTable;
import org.bpfsdt.core.interp.Interpreter;

/**
 * The runtime ("the syscall"): the registry of programs, maps and links with kernel-like ids and
 * reference counts, map creation through {@link MapProvider}s, program loading through the
 * {@link Verifier} and engine resolution, links through {@link LinkProvider}s, test runs, the
 * trace pipe, and unverified raw runs. Services may come and go while it runs ({@link #addJit},
 * {@link #removeJit}, ...). Everything it owns is freed when the last reference goes, and all of
 * it when the runtime closes. It keeps no state outside this object.
 */
public class CoreRuntime implements BpfRuntime {
    private static final int TRACE_PIPE_LINES = 16_384;

    final IdTable<LoadedProgram> programs = new IdTable<>();
    final IdTable<LoadedMap> maps = new IdTable<>();
    final IdTable<LoadedLink> links = new IdTable<>();

    private final GracePeriods grace;
    private final Interpreter interpreter;
    private final ThreadLocal<ExecState> states;
    private final AtomicInteger nextCpu = new AtomicInteger();
    private final int possibleCpus = Runtime.getRuntime().availableProcessors();
    private final HelperTable helpers = new HelperTable();
    private final NativeHeap heap = new NativeHeap();
    private final CallBuffers callBuffers = new CallBuffers();
    private final NativeLinkage linkage;
    private final Engines engines;
    private final ServiceSet<Verifier> verifiers = new ServiceSet<>();
    private final ServiceSet<MapProvider> mapProviders = new ServiceSet<>();
    private final ServiceSet<LinkProvider> linkProviders = new ServiceSet<>();
    private final List<ContextBuilder> contextBuilders = new CopyOnWriteArrayList<>();
    private final BoundedTracePipe tracePipe = new BoundedTracePipe(TRACE_PIPE_LINES);
    private final MapContext mapContext = new RuntimeMapContext();
    private final LinkContext linkContext = new RuntimeLinkContext(this);
    private final ProgramLoader loader;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A runtime on this host's architecture with no services yet. */
    public CoreRuntime() {
        this(HostArch.host());
    }

    /** A runtime that takes {@code hostArch} as the host's architecture (tests of resolution). */
    public CoreRuntime(String hostArch) {
        grace = new GracePeriods("bpfsdt-runtime");
        interpreter = new Interpreter(this::resolveTailCall);
        states = ThreadLocal.withInitial(() -> {
            ExecState s = interpreter.newState(Math.floorMod(nextCpu.getAndIncrement(), possibleCpus));
            grace.register(s);
            return s;
        });
        linkage = new NativeLinkage(this::state, this::resolveTailCall);
        engines = new Engines(hostArch, interpreter, grace, this::state);
        contextBuilders.addAll(List.of(new XdpContexts(), new SkbContexts(), new TracingContexts()));
        StandardHelpers.registerAll(helpers, new RuntimeHelpers());
        loader = new ProgramLoader(this);
    }

    // services -----------------------------------------------------------------------------------

    /** A JIT service arrived ({@code props}: {@code bpf.jit.arch}, {@code bpf.jit.sdt.probe}, {@code service.ranking}; any may be missing). */
    public void addJit(JitCompiler jit, Map<String, ?> props) {
        engines.addJit(jit, props == null ? Map.of() : props);
    }

    /** A JIT service went away: its programs move to the next best engine first. */
    public void removeJit(JitCompiler jit) {
        engines.removeJit(jit);
    }

    public void addVerifier(Verifier v, Map<String, ?> props) {
        verifiers.add(v, props);
    }

    public void removeVerifier(Verifier v) {
        verifiers.remove(v);
    }

    public void addMapProvider(MapProvider p, Map<String, ?> props) {
        mapProviders.add(p, props);
    }

    public void removeMapProvider(MapProvider p) {
        mapProviders.remove(p);
    }

    public void addLinkProvider(LinkProvider p, Map<String, ?> props) {
        linkProviders.add(p, props);
    }

    public void removeLinkProvider(LinkProvider p) {
        linkProviders.remove(p);
    }

    /**
     * The helpers programs of this runtime may call: the standard ones ({@link StandardHelpers})
     * from the start; register more (or replace one) before loading programs that call them.
     */
    public HelperTable helpers() {
        return helpers;
    }

    /** Adds the test-run contexts of some program types. */
    public void addContextBuilder(ContextBuilder builder) {
        contextBuilders.addFirst(builder);
    }

    /** The runtime's trace pipe, to which helpers print. */
    public BoundedTracePipe tracePipeBuffer() {
        return tracePipe;
    }

    /** The runtime's grace periods (deferred reclamation). */
    public GracePeriods grace() {
        return grace;
    }

    /** Engine resolution of this runtime. */
    public Engines engineResolution() {
        return engines;
    }

    /** The calling thread's execution state. */
    public ExecState state() {
        return states.get();
    }

    /** Native allocations of this runtime (map headers, descriptors), for leak checks. */
    public NativeHeap heap() {
        return heap;
    }

    Interpreter interpreter() {
        return interpreter;
    }

    NativeLinkage linkage() {
        return linkage;
    }

    /** Per-thread native buffers for Java's map operations. */
    CallBuffers callBuffers() {
        return callBuffers;
    }

    Optional<Verifier> verifier() {
        return verifiers.best(v -> true);
    }

    int possibleCpus() {
        return possibleCpus;
    }

    void ensureOpen() {
        if (closed.get()) {
            throw new BpfException(Errno.EBADF, "the runtime is closed");
        }
    }

    // maps ---------------------------------------------------------------------------------------

    @Override
    public BpfMap mapCreate(MapSpec spec) {
        ensureOpen();
        if (spec.name().length() > MapSpec.MAX_NAME_LEN) {
            throw new BpfException(Errno.EINVAL, "map name '" + spec.name() + "' is longer than " + MapSpec.MAX_NAME_LEN + " characters");
        }
        MapProvider provider = mapProviders.best(p -> p.types().contains(spec.type())).orElseThrow(() -> new BpfException(
                Errno.EINVAL, "map type " + spec.type() + " is not offered by any map provider"
                + (mapProviders.isEmpty() ? " (no map provider is present: install the maps bundle)" : "")));
        long header = heap.allocate(RuntimeLinkage.MAP_HEADER_SIZE, "a map header");
        MapBackend backend = null;
        try {
            backend = provider.create(spec, mapContext);
            if (backend == null) {
                throw new BpfException(Errno.EINVAL, "the map provider for " + spec.type() + " created nothing");
            }
            MapBackend b = backend;
            int id = maps.add(i -> new LoadedMap(i, this, spec, b, header));
            return new MapHandle(maps.get(id));
        } catch (RuntimeException | Error e) {
            if (backend != null) {
                backend.close();
            }
            heap.free(header);
            throw e;
        }
    }

    /** Takes a reference on the map behind {@code handle}, which must be an open handle of this runtime. */
    LoadedMap acquire(BpfMap handle) {
        if (!(handle instanceof MapHandle h) || h.object.runtime != this) {
            throw new BpfException(Errno.EBADF, "map " + (handle == null ? "null" : handle.id()) + " does not belong to this runtime");
        }
        return h.acquire();
    }

    /** Takes a reference on the live map with this id. */
    LoadedMap acquireMap(int id) {
        LoadedMap m = maps.get(id);
        if (m == null || !m.tryAcquire()) {
            throw new BpfException(Errno.EBADF, "no map with id " + id);
        }
        return m;
    }

    LoadedProgram acquire(BpfProgram handle) {
        if (!(handle instanceof ProgramHandle h) || h.object.runtime != this) {
            throw new BpfException(Errno.EBADF, "program " + (handle == null ? "null" : handle.id()) + " does not belong to this runtime");
        }
        return h.acquire();
    }

    /** A counted reference to {@code program} for a link or map. */
    ProgramReference reference(BpfProgram program) {
        return new ProgramReference(acquire(program));
    }

    // programs -----------------------------------------------------------------------------------

    @Override
    public BpfProgram progLoad(ProgSpec spec) {
        ensureOpen();
        return new ProgramHandle(loader.load(spec));
    }

    /** Registers a loaded program under a fresh id (the loader's last step). */
    int register(java.util.function.IntFunction<LoadedProgram> create) {
        return programs.add(create);
    }

    /** The target of a tail call: the program in a PROG_ARRAY slot, on whatever engine runs it now. */
    private CallTarget resolveTailCall(long map, long index) {
        if (map < NativeMemory.FLOOR || NativeMemory.u32(map + RuntimeLinkage.MAP_TYPE) != org.bpfsdt.api.MapType.PROG_ARRAY.kernelId()) {
            return null;
        }
        long slot = index & 0xffffffffL;
        if (slot >= NativeMemory.u32(map + RuntimeLinkage.MAP_MAX_ENTRIES)) {
            return null;
        }
        long table = NativeMemory.u64(map + RuntimeLinkage.MAP_DATA);
        long descriptor = table == 0 ? 0 : NativeMemory.getVolatile64(table + 8 * slot);
        if (descriptor == 0) {
            return null;
        }
        LoadedProgram p = programs.get((int) NativeMemory.u32(descriptor + RuntimeLinkage.PROG_ID));
        return p == null ? null : p.engine().current();
    }

    /**
     * {@code BPF_PROG_TEST_RUN}: builds the context for the program's type, runs the program
     * {@code repeat} times on it (one batch: inside native code when a JIT runs it) and measures
     * the mean time per run around the whole batch, as the kernel does.
     */
    TestRunResult testRun(LoadedProgram p, TestRunSpec spec) {
        ensureOpen();
        ContextBuilder builder = contextBuilder(p.type);
        int repeat = Math.max(1, spec.repeat());
        try (Arena arena = Arena.ofConfined()) {
            ContextBuilder.TestContext ctx = builder.prepare(p.type, spec, arena);
            ExecState st = state();
            long r0;
            Executable ex;
            long elapsed;
            grace.enter(st);
            try {
                ex = p.engine().current();
                long start = System.nanoTime();
                r0 = ex.runBatch(st, ctx.address(), repeat);
                elapsed = System.nanoTime() - start;
            } finally {
                grace.exit(st);
            }
            byte[] dataOut = ctx.dataOut();
            byte[] ctxOut = ctx.ctxOut();
            checkRoom("data", dataOut.length, spec.dataSizeOut(), r0);
            checkRoom("context", ctxOut.length, spec.ctxSizeOut(), r0);
            // the kernel's test run reports a u32, as programs of these types return one
            return new TestRunResult(r0 & 0xffffffffL, dataOut, ctxOut, elapsed / repeat, ex.engineName());
        }
    }

    private ContextBuilder contextBuilder(org.bpfsdt.api.ProgramType type) {
        for (ContextBuilder b : contextBuilders) {
            if (b.types().contains(type)) {
                return b;
            }
        }
        throw new BpfException(Errno.ENOTSUPP, "test runs of " + type + " programs are not supported");
    }

    /** The kernel's {@code ENOSPC} when the caller left less room than the output needs. */
    private static void checkRoom(String what, int size, int room, long r0) {
        if (room != 0 && size > room) {
            throw new BpfException(Errno.ENOSPC, "the " + what + " out is " + size + " bytes, but only " + room
                    + " were allowed (the program returned " + r0 + ")");
        }
    }

    // links --------------------------------------------------------------------------------------

    @Override
    public BpfLink linkCreate(LinkSpec spec) {
        ensureOpen();
        LinkProvider provider = linkProviders.best(p -> p.attachTypes().contains(spec.attachType())).orElseThrow(() -> new BpfException(
                Errno.EINVAL, "attach type " + spec.attachType() + " is not offered by any link provider"
                + (linkProviders.isEmpty() ? " (no link provider is present: install the links bundle)" : "")));
        LoadedProgram program = acquire(spec.program());
        try {
            LinkBackend backend = provider.create(spec, linkContext);
            if (backend == null) {
                throw new BpfException(Errno.EINVAL, "the link provider for " + spec.attachType() + " created nothing");
            }
            try {
                int id = links.add(i -> new LoadedLink(i, this, backend, spec.attachType(), program.id));
                return new LinkHandle(links.get(id));
            } catch (RuntimeException e) {
                backend.detach();
                throw e;
            }
        } finally {
            // the backend took its own references through the context
            program.release();
        }
    }

    // lookups ------------------------------------------------------------------------------------

    @Override
    public Optional<BpfProgram> progGetById(int id) {
        ensureOpen();
        LoadedProgram p = programs.get(id);
        return p != null && p.tryAcquire() ? Optional.of(new ProgramHandle(p)) : Optional.empty();
    }

    @Override
    public Optional<BpfMap> mapGetById(int id) {
        ensureOpen();
        LoadedMap m = maps.get(id);
        return m != null && m.tryAcquire() ? Optional.of(new MapHandle(m)) : Optional.empty();
    }

    @Override
    public Optional<BpfLink> linkGetById(int id) {
        ensureOpen();
        LoadedLink l = links.get(id);
        return l != null && l.tryAcquire() ? Optional.of(new LinkHandle(l)) : Optional.empty();
    }

    @Override
    public List<ProgramInfo> programs() {
        return programs.values().stream().map(LoadedProgram::info).toList();
    }

    @Override
    public List<MapInfo> maps() {
        return maps.values().stream().map(LoadedMap::info).toList();
    }

    @Override
    public List<LinkInfo> links() {
        return links.values().stream().map(LoadedLink::info).toList();
    }

    /** References held on the object behind {@code handle} now (for tests of ownership). */
    public int refCount(BpfObject handle) {
        RuntimeObject o = switch (handle) {
            case ProgramHandle h -> h.object;
            case MapHandle h -> h.object;
            case LinkHandle h -> h.object;
            default -> throw new BpfException(Errno.EBADF, handle + " does not belong to this runtime");
        };
        return o.refCount();
    }

    @Override
    public TracePipe tracePipe() {
        return tracePipe;
    }

    @Override
    public List<EngineInfo> engines() {
        return engines.engines();
    }

    // raw runs -----------------------------------------------------------------------------------

    @Override
    public RawRunResult runUnverified(List<Insn> insns, byte[] mem, RawRunOptions options) {
        ensureOpen();
        RawRunOptions o = options == null ? RawRunOptions.interpreter() : options;
        byte[] memory = mem == null ? new byte[0] : mem;
        String engine = o.engine() == null || o.engine().isEmpty() ? EngineInfo.INTERPRETER : o.engine();
        boolean interpreted = EngineInfo.INTERPRETER.equals(engine);
        if (o.checked() && !interpreted) {
            throw new BpfException(Errno.EINVAL, "the checked mode is the interpreter's; engine " + engine + " has none");
        }
        HelperTable table = helpers;
        if (!o.helpers().isEmpty()) {
            Map<Integer, Helper> extra = new java.util.HashMap<>();
            o.helpers().forEach((id, h) -> extra.put(id, (st, a, b, c, d, e) -> h.call(a, b, c, d, e)));
            table = helpers.overlay(extra);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = memory.length == 0 ? MemorySegment.NULL : arena.allocate(memory.length, 16);
            MemorySegment.copy(memory, 0, m, ValueLayout.JAVA_BYTE, 0, memory.length);
            long r1 = m.address();
            long r2 = memory.length;
            long r0;
            if (interpreted) {
                DecodedProgram p = DecodedProgram.decode(insns, table, o.checked(), 0, "raw");
                r0 = o.checked() ? runChecked(p, m, o, r1, r2) : run(p, r1, r2);
            } else {
                r0 = runRawJit(insns, table, engine, r1, r2);
            }
            return new RawRunResult(r0, m.toArray(ValueLayout.JAVA_BYTE), engine);
        }
    }

    private long run(DecodedProgram p, long r1, long r2) {
        ExecState st = state();
        grace.enter(st);
        try {
            return interpreter.run(st, p, r1, r2);
        } finally {
            grace.exit(st);
        }
    }

    private long runChecked(DecodedProgram p, MemorySegment m, RawRunOptions o, long r1, long r2) {
        CheckedMemory cm = new CheckedMemory();
        if (m.byteSize() > 0) {
            cm.allow(m, true, "memory");
        }
        o.regions().forEach(r -> cm.allow(r.address(), r.size(), r.writable(), r.name()));
        for (LoadedMap lm : maps.values()) {
            cm.allow(lm.header, RuntimeLinkage.MAP_HEADER_SIZE, false, "header of " + lm);
        }
        ExecState st = state();
        grace.enter(st);
        try {
            return interpreter.runChecked(st, p, cm, r1, r2);
        } finally {
            grace.exit(st);
        }
    }

    private long runRawJit(List<Insn> insns, HelperTable table, String engine, long r1, long r2) {
        ProgramCode code = loader.rawCode(insns, table);
        Executable ex = engines.prepare(code, engine);
        try {
            var entry = ((Jitted) ex).image().rawEntry();
            ExecState st = state();
            grace.enter(st);
            try {
                return st.runNative(0, code.helpers(), r1, r2, (ctx, len) -> {
                    try {
                        return (long) entry.invokeExact(ctx, len);
                    } catch (RuntimeException | Error e) {
                        throw e;
                    } catch (Throwable t) {
                        throw new BpfException(Errno.EFAULT, engine + " code failed: " + t, t);
                    }
                });
            } finally {
                grace.exit(st);
            }
        } finally {
            ex.close();
        }
    }

    // close --------------------------------------------------------------------------------------

    /**
     * Detaches every link, frees every program and map (handles still open fail with
     * {@code EBADF} from now on), waits for runs in progress, and frees all native memory.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        links.values().forEach(l -> forceFree(l, links));
        programs.values().forEach(p -> forceFree(p, programs));
        maps.values().forEach(m -> forceFree(m, maps));
        grace.close();
        linkage.close();
    }

    private static <T extends RuntimeObject> void forceFree(T o, IdTable<T> table) {
        table.remove(o.id, o);
        o.freeOnce();
    }

    /** What the helpers may ask of the runtime. */
    private final class RuntimeHelpers implements HelperRuntime {
        @Override
        public MapBackend mapAt(long header) {
            if (header < NativeMemory.FLOOR) {
                return null;
            }
            LoadedMap m = maps.get((int) NativeMemory.u32(header + RuntimeLinkage.MAP_ID));
            return m != null && m.header == header ? m.backend : null;
        }

        @Override
        public MapBackend mapById(int id) {
            LoadedMap m = maps.get(id);
            return m == null ? null : m.backend;
        }

        @Override
        public org.bpfsdt.api.ProgramType programType(int programId) {
            LoadedProgram p = programs.get(programId);
            return p == null ? null : p.type;
        }

        @Override
        public void trace(TracePipe.Line line) {
            tracePipe.print(line);
        }
    }

    /** What a map implementation may ask of the runtime. */
    private final class RuntimeMapContext implements MapContext {
        @Override
        public int possibleCpus() {
            return possibleCpus;
        }

        @Override
        public int currentCpu() {
            return state().cpu();
        }

        @Override
        public ProgramRef acquireProgram(int id) {
            LoadedProgram p = programs.get(id);
            if (p == null || !p.tryAcquire()) {
                throw new BpfException(Errno.ENOENT, "no program with id " + id);
            }
            return new ProgramReference(p);
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void afterGracePeriod(Runnable action) {
            grace.defer(action);
        }
    }
}
