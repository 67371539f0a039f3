package org.bpfsdt.loader;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfLink;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkInfo;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapInfo;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramInfo;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.RawRunResult;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.api.isa.Insn;

/**
 * A runtime written for the loader's tests, until the real one lands: it keeps what
 * {@code mapCreate} and {@code progLoad} receive, stores map entries on the heap with the
 * kernel's size and flag checks, counts open handles, and can be told to fail the n-th call so
 * tests can check that a failed load leaves nothing open. It does not run programs.
 */
final class RecordingRuntime implements BpfRuntime {
    final List<MapSpec> mapSpecs = new ArrayList<>();
    final List<ProgSpec> progSpecs = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    private final List<Handle> open = new ArrayList<>();
    private int nextId = 1;
    private String failOp;
    private int failAfter;

    /** Makes the {@code n}-th (1-based) call of {@code op} ("mapCreate", "progLoad", "update", "freeze") fail. */
    RecordingRuntime failOn(String op, int n) {
        failOp = op;
        failAfter = n;
        return this;
    }

    private void maybeFail(String op) {
        calls.add(op);
        if (op.equals(failOp) && --failAfter == 0) {
            throw new BpfException(Errno.ENOMEM, op + " failed (injected by the test)");
        }
    }

    /** Handles not yet closed. */
    int openHandles() {
        return (int) open.stream().filter(h -> h.open).count();
    }

    @Override
    public BpfMap mapCreate(MapSpec spec) {
        maybeFail("mapCreate");
        if (spec.type() != MapType.RINGBUF && spec.type() != MapType.QUEUE && spec.type() != MapType.STACK
                && spec.type() != MapType.BLOOM_FILTER && (spec.keySize() <= 0 || spec.valueSize() <= 0)) {
            throw new BpfException(Errno.EINVAL, "map '" + spec.name() + "': key and value sizes must be positive");
        }
        if (spec.name().length() > MapSpec.MAX_NAME_LEN) {
            throw new BpfException(Errno.EINVAL, "map name '" + spec.name() + "' is longer than 15 characters");
        }
        mapSpecs.add(spec);
        return new Map_(spec, nextId++);
    }

    @Override
    public BpfProgram progLoad(ProgSpec spec) {
        maybeFail("progLoad");
        for (BpfMap m : spec.maps()) {
            if (!m.isOpen()) {
                throw new BpfException(Errno.EBADF, "program '" + spec.name() + "' uses a closed map");
            }
        }
        progSpecs.add(spec);
        return new Program(spec, nextId++);
    }

    /** The loaded map named {@code name} (kernel name), as the runtime sees it. */
    Map_ mapNamed(String name) {
        return open.stream().filter(h -> h instanceof Map_ m && m.spec.name().equals(name)).map(h -> (Map_) h).findFirst().orElseThrow();
    }

    ProgSpec progSpec(String name) {
        return progSpecs.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    private abstract class Handle implements org.bpfsdt.api.BpfObject {
        final int id;
        boolean open = true;

        Handle(int id) {
            this.id = id;
            RecordingRuntime.this.open.add(this);
        }

        public int id() {
            return id;
        }

        public boolean isOpen() {
            return open;
        }

        public void close() {
            open = false;
        }
    }

    final class Map_ extends Handle implements BpfMap {
        final MapSpec spec;
        final Map<ByteBuffer, byte[]> entries = new HashMap<>();
        boolean frozen;

        Map_(MapSpec spec, int id) {
            super(id);
            this.spec = spec;
        }

        public MapInfo info() {
            return new MapInfo(id, spec.type(), spec.name(), spec.keySize(), spec.valueSize(), spec.maxEntries(), spec.flags(), frozen);
        }

        public MapType type() {
            return spec.type();
        }

        public String name() {
            return spec.name();
        }

        public int keySize() {
            return spec.keySize();
        }

        public int valueSize() {
            return spec.valueSize();
        }

        public int maxEntries() {
            return spec.maxEntries();
        }

        public int flags() {
            return spec.flags();
        }

        public Optional<byte[]> lookup(byte[] key) {
            return Optional.ofNullable(entries.get(ByteBuffer.wrap(key.clone()))).map(byte[]::clone);
        }

        public void update(byte[] key, byte[] value, long flags) {
            maybeFail("update");
            if (frozen) {
                throw new BpfException(Errno.EPERM, "map '" + spec.name() + "' is frozen");
            }
            if (key.length != spec.keySize() || value.length != spec.valueSize()) {
                throw new BpfException(Errno.EINVAL, "map '" + spec.name() + "': key/value of " + key.length + "/" + value.length
                        + " bytes, expected " + spec.keySize() + "/" + spec.valueSize());
            }
            if ((spec.type() == MapType.ARRAY || spec.type() == MapType.PROG_ARRAY)
                    && Integer.toUnsignedLong(ByteBuffer.wrap(key).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt()) >= spec.maxEntries()) {
                throw new BpfException(Errno.E2BIG, "index out of range");
            }
            if (flags == MapFlags.NOEXIST && entries.containsKey(ByteBuffer.wrap(key))) {
                throw new BpfException(Errno.EEXIST, "key exists");
            }
            entries.put(ByteBuffer.wrap(key.clone()), value.clone());
        }

        public boolean delete(byte[] key) {
            return entries.remove(ByteBuffer.wrap(key)) != null;
        }

        public Optional<byte[]> nextKey(byte[] key) {
            throw new BpfException(Errno.EOPNOTSUPP, "not needed by the loader");
        }

        public Optional<byte[]> lookupAndDelete(byte[] key) {
            throw new BpfException(Errno.EOPNOTSUPP, "not needed by the loader");
        }

        public void freeze() {
            maybeFail("freeze");
            frozen = true;
        }

        public boolean isFrozen() {
            return frozen;
        }

        public Optional<MemorySegment> valueSegment(byte[] key) {
            return Optional.empty();
        }

        public int possibleCpus() {
            return 1;
        }

        public BpfMap dup() {
            throw new BpfException(Errno.EOPNOTSUPP, "not needed by the loader");
        }
    }

    final class Program extends Handle implements BpfProgram {
        final ProgSpec spec;

        Program(ProgSpec spec, int id) {
            super(id);
            this.spec = spec;
        }

        public ProgramInfo info() {
            return new ProgramInfo(id, spec.type(), spec.expectedAttachType(), spec.name(), "", spec.insns().size(),
                    spec.insns().size(), "none", 0, spec.maps().stream().mapToInt(BpfMap::id).toArray(), 0);
        }

        public ProgramType type() {
            return spec.type();
        }

        public String name() {
            return spec.name();
        }

        public String engine() {
            return "none";
        }

        public TestRunResult testRun(TestRunSpec s) {
            throw new BpfException(Errno.EOPNOTSUPP, "this test runtime does not run programs");
        }

        public List<Insn> xlatedInsns() {
            return spec.insns();
        }

        public List<Insn> originalInsns() {
            return spec.insns();
        }

        public String verifierLog() {
            return "";
        }

        public String jitedListing() {
            return "";
        }

        public BpfProgram dup() {
            throw new BpfException(Errno.EOPNOTSUPP, "not needed by the loader");
        }
    }

    @Override
    public BpfLink linkCreate(LinkSpec spec) {
        throw new BpfException(Errno.EOPNOTSUPP, "not needed by the loader");
    }

    @Override
    public Optional<BpfProgram> progGetById(int id) {
        return Optional.empty();
    }

    @Override
    public Optional<BpfMap> mapGetById(int id) {
        return Optional.empty();
    }

    @Override
    public Optional<BpfLink> linkGetById(int id) {
        return Optional.empty();
    }

    @Override
    public List<ProgramInfo> programs() {
        return List.of();
    }

    @Override
    public List<MapInfo> maps() {
        return List.of();
    }

    @Override
    public List<LinkInfo> links() {
        return List.of();
    }

    @Override
    public TracePipe tracePipe() {
        throw new BpfException(Errno.EOPNOTSUPP, "not needed by the loader");
    }

    @Override
    public List<EngineInfo> engines() {
        return List.of();
    }

    @Override
    public RawRunResult runUnverified(List<Insn> insns, byte[] mem, RawRunOptions options) {
        throw new BpfException(Errno.EOPNOTSUPP, "this test runtime does not run programs");
    }

    @Override
    public void close() {
        open.forEach(h -> h.open = false);
    }

}
