package org.bpfsdt.loader;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfObject;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.spi.InsnArrayValue;
import org.bpfsdt.loader.object.GlobalVar;
import org.bpfsdt.loader.relo.LinkedProgram;
import org.bpfsdt.loader.sdt.LinkedProbe;

/** The load sequence of {@link ObjectFile#load}, with its all-or-nothing clean-up. */
final class ObjectLoader {
    private final ObjectFile obj;
    private final BpfRuntime runtime;
    private final List<BpfObject> created = new ArrayList<>();

    private ObjectLoader(ObjectFile obj, BpfRuntime runtime) {
        this.obj = obj;
        this.runtime = runtime;
    }

    static LoadedObject load(ObjectFile obj, BpfRuntime runtime) {
        return new ObjectLoader(obj, runtime).load();
    }

    private LoadedObject load() {
        // link every program first: a bad relocation fails before anything exists in the runtime
        Map<ObjectProgram, LinkedProgram> linked = new LinkedHashMap<>();
        for (ObjectProgram p : obj.programs()) {
            if (p.autoload()) {
                p.requireType();
                linked.put(p, p.linked());
            }
        }
        try {
            Map<String, BpfMap> maps = new LinkedHashMap<>();
            List<BpfMap> byIndex = new ArrayList<>();
            for (ObjectMap m : obj.maps()) {
                BpfMap map = createMap(m);
                maps.put(m.name(), map);
                byIndex.add(map);
            }
            Map<String, BpfProgram> programs = new LinkedHashMap<>();
            for (Map.Entry<ObjectProgram, LinkedProgram> e : linked.entrySet()) {
                BpfMap sdtMap = e.getValue().sdtProbes().isEmpty() ? null : createSdtMap(e.getKey(), e.getValue());
                if (sdtMap != null) {
                    maps.put(sdtMap.name(), sdtMap);
                }
                programs.put(e.getKey().name(), loadProgram(e.getKey(), e.getValue(), byIndex, sdtMap));
            }
            fillProgramArrays(maps, programs);
            return new LoadedObject(obj, programs, maps, globals(byIndex));
        } catch (RuntimeException | Error e) {
            closeAll(e);
            throw e;
        }
    }

    private BpfMap createMap(ObjectMap m) {
        if (m.definition().inner() != null) {
            throw new BpfException(Errno.EOPNOTSUPP, obj.fileName() + ": map '" + m.name() + "': map-in-map ("
                    + m.type() + ") is not supported by this runtime");
        }
        BpfMap map;
        try {
            map = track(runtime.mapCreate(m.toSpec()));
        } catch (BpfException e) {
            throw e.withContext(obj.fileName() + ": map '" + m.name() + "'");
        }
        if (m.kind().isGlobalData()) {
            try {
                map.update(new byte[4], m.initialValue(), MapFlags.ANY);
                if (m.frozenAfterLoad()) {
                    map.freeze();
                }
            } catch (BpfException e) {
                throw e.withContext(obj.fileName() + ": map '" + m.name() + "': setting its initial value failed");
            }
        }
        return map;
    }

    /**
     * The program's INSN_ARRAY map with the SDT flag: one entry per probe whose NOP its code holds
     * (its subprograms' included), frozen, as the program's load takes it.
     */
    private BpfMap createSdtMap(ObjectProgram p, LinkedProgram lp) {
        List<LinkedProbe> probes = lp.sdtProbes();
        MapSpec spec = MapSpec.of(MapType.INSN_ARRAY, 4, InsnArrayValue.SDT_SIZE, probes.size())
                .withFlags(MapFlags.INSN_ARRAY_SDT).withName(sdtMapName(p.name()));
        try {
            BpfMap map = track(runtime.mapCreate(spec));
            for (int i = 0; i < probes.size(); i++) {
                map.update(le32(i), probes.get(i).value().encode(true), MapFlags.ANY);
            }
            map.freeze();
            return map;
        } catch (BpfException e) {
            throw e.withContext(obj.fileName() + ": program '" + p.name() + "': its SDT probe map");
        }
    }

    /** {@code <program>.sdt}, the program name cut to fit the 15 characters of a map name. */
    static String sdtMapName(String program) {
        String suffix = ".sdt";
        return program.substring(0, Math.min(program.length(), MapSpec.MAX_NAME_LEN - suffix.length())) + suffix;
    }

    private BpfProgram loadProgram(ObjectProgram p, LinkedProgram lp, List<BpfMap> maps, BpfMap sdtMap) {
        List<BpfMap> fdArray = lp.maps().stream().map(maps::get).toList();
        boolean sdtObserver = p.attachType() == AttachType.TRACE_SDT;
        ProgSpec spec = ProgSpec.builder(p.requireType(), lp.insns())
                .expectedAttachType(p.attachType())
                // libbpf passes the first 15 characters, which is all BPF_OBJ_NAME_LEN holds
                .name(p.name().substring(0, Math.min(p.name().length(), ProgSpec.MAX_NAME_LEN)))
                .license(obj.license())
                .maps(fdArray)
                .btf(obj.btf().orElse(null))
                .funcInfo(lp.funcInfo())
                .lineInfo(lp.lineInfo())
                .attachProgram(p.attachProgram())
                .attachBtfId(p.attachBtfId())
                .sdtProbeName(sdtObserver && !p.attachTarget().isEmpty() ? p.attachTarget() : null)
                .sdtMap(sdtMap)
                .flags(p.flags())
                .logLevel(p.logLevel())
                .engine(p.engine())
                .build();
        try {
            return track(runtime.progLoad(spec));
        } catch (BpfException e) {
            throw e.withContext(obj.fileName() + ": program '" + p.name() + "'"); // keeps the verifier's log
        }
    }

    /** PROG_ARRAY {@code __array(values, ...)}: slot i holds the program's id (the runtime's handle for a program, as an fd is the kernel's). */
    private void fillProgramArrays(Map<String, BpfMap> maps, Map<String, BpfProgram> programs) {
        for (ObjectMap m : obj.maps()) {
            if (m.type() != MapType.PROG_ARRAY) {
                continue;
            }
            List<String> slots = m.initialSlots();
            for (int i = 0; i < slots.size(); i++) {
                if (slots.get(i) == null) {
                    continue;
                }
                BpfProgram target = programs.get(slots.get(i));
                if (target == null) {
                    throw new BpfException(Errno.EINVAL, obj.fileName() + ": map '" + m.name() + "': slot " + i + " holds program '"
                            + slots.get(i) + "', which is not loaded (autoload is off)");
                }
                try {
                    maps.get(m.name()).update(le32(i), le32(target.id()), MapFlags.ANY);
                } catch (BpfException e) {
                    throw e.withContext(obj.fileName() + ": map '" + m.name() + "': slot " + i);
                }
            }
        }
    }

    private List<GlobalVariable> globals(List<BpfMap> maps) {
        List<GlobalVariable> out = new ArrayList<>();
        for (GlobalVar v : obj.parsed().globals()) {
            ObjectMap om = obj.maps().get(v.map());
            BpfMap map = maps.get(v.map());
            out.add(new GlobalVariable(v, om.name(), obj.btf().orElseThrow(), new MapStore(map, om.name(), om.frozenAfterLoad())));
        }
        return out;
    }

    private <T extends BpfObject> T track(T o) {
        created.add(o);
        return o;
    }

    private void closeAll(Throwable cause) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                created.get(i).close();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /** A global's bytes in the live map: in place when the map exposes its value memory, else by lookup and update. */
    private record MapStore(BpfMap map, String section, boolean readOnly) implements GlobalVariable.Store {
        private static final byte[] KEY = new byte[4];

        @Override
        public byte[] read(int offset, int length) {
            Optional<MemorySegment> seg = map.valueSegment(KEY);
            if (seg.isPresent()) {
                return seg.get().asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
            }
            byte[] value = map.lookup(KEY).orElseThrow(() -> new BpfException(Errno.ENOENT, "map '" + section + "' has no value"));
            return java.util.Arrays.copyOfRange(value, offset, offset + length);
        }

        @Override
        public void write(int offset, byte[] bytes) {
            if (readOnly) {
                throw new BpfException(Errno.EPERM, "'" + section + "' is frozen once loaded; set .rodata variables before load");
            }
            Optional<MemorySegment> seg = map.valueSegment(KEY);
            if (seg.isPresent()) {
                MemorySegment.copy(bytes, 0, seg.get(), ValueLayout.JAVA_BYTE, offset, bytes.length);
                return;
            }
            byte[] value = map.lookup(KEY).orElseThrow(() -> new BpfException(Errno.ENOENT, "map '" + section + "' has no value"));
            System.arraycopy(bytes, 0, value, offset, bytes.length);
            map.update(KEY, value, MapFlags.ANY);
        }
    }
}
