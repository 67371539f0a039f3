package org.bpfsdt.loader;

import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.loader.object.MapDefinition;

/**
 * A map of an opened object, configurable until the object is loaded ({@code bpf_map__set_*}).
 * Global data maps ({@code .data}, {@code .rodata}, {@code .bss}) hold the section's bytes as
 * their initial value; their variables are reached through {@link ObjectFile#global(String)}.
 */
public final class ObjectMap {
    private final MapDefinition def;
    private final Btf btf;
    private final byte[] value;
    private int maxEntries;
    private int flags;
    private long mapExtra;

    ObjectMap(MapDefinition def, Btf btf) {
        this.def = def;
        this.btf = btf;
        this.value = def.initialValue();
        this.maxEntries = def.maxEntries();
        this.flags = def.flags();
        this.mapExtra = def.mapExtra();
    }

    /** The name in the object: the {@code .maps} variable, or the data section ({@code .rodata}). */
    public String name() {
        return def.name();
    }

    /** The name the runtime gets (libbpf's: {@code xdp_pars.rodata} for an object's {@code .rodata}). */
    public String kernelName() {
        return def.kernelName();
    }

    public MapKind kind() {
        return def.kind();
    }

    public MapType type() {
        return def.type();
    }

    public int keySize() {
        return def.keySize();
    }

    public int valueSize() {
        return def.valueSize();
    }

    public int maxEntries() {
        return maxEntries;
    }

    /** {@code bpf_map__set_max_entries}; global data maps always have one entry. */
    public ObjectMap setMaxEntries(int n) {
        if (def.kind().isGlobalData()) {
            throw new BpfException(Errno.EINVAL, "map '" + name() + "' holds global data and has exactly one entry");
        }
        if (n <= 0) {
            throw new BpfException(Errno.EINVAL, "map '" + name() + "': max_entries must be positive, not " + n);
        }
        maxEntries = n;
        return this;
    }

    public int flags() {
        return flags;
    }

    /** {@code bpf_map__set_map_flags}. */
    public ObjectMap setFlags(int f) {
        flags = f;
        return this;
    }

    public long mapExtra() {
        return mapExtra;
    }

    public ObjectMap setMapExtra(long extra) {
        mapExtra = extra;
        return this;
    }

    /** The key's C type from BTF ({@code __u32}), or empty. */
    public Optional<String> keyType() {
        return def.btfKeyTypeId() == 0 || btf == null ? Optional.empty() : Optional.of(btf.typeName(def.btfKeyTypeId()));
    }

    /** The value's C type from BTF, or empty (a global data map's value is its section). */
    public Optional<String> valueType() {
        return def.btfValueTypeId() == 0 || btf == null ? Optional.empty() : Optional.of(btf.typeName(def.btfValueTypeId()));
    }

    /** PROG_ARRAY initial contents ({@code __array(values, ...)}): the program name per slot, {@code null} for empty slots. */
    public List<String> initialSlots() {
        return def.initialSlots();
    }

    /** The value a global data map is created with (a copy, as configured now). */
    public byte[] initialValue() {
        return value.clone();
    }

    /** The mutable initial value, for global variables before load. */
    byte[] valueBuffer() {
        return value;
    }

    MapDefinition definition() {
        return def;
    }

    /** The attributes of {@code BPF_MAP_CREATE} for this map as configured. */
    public MapSpec toSpec() {
        MapSpec spec = new MapSpec(def.type(), def.kernelName(), def.keySize(), def.valueSize(), maxEntries, flags, null, 0, 0, mapExtra);
        if (btf != null && (def.btfKeyTypeId() != 0 || def.btfValueTypeId() != 0)) {
            spec = spec.withBtf(btf, def.btfKeyTypeId(), def.btfValueTypeId());
        }
        return spec;
    }

    /** Whether the map is frozen after its initial value is written ({@code .rodata}, as libbpf does). */
    public boolean frozenAfterLoad() {
        return def.kind() == MapKind.RODATA;
    }

    /** A one-line description for reports. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(def.type()).append("  key ").append(def.keySize()).append("  value ").append(def.valueSize())
                .append("  max_entries ").append(maxEntries).append("  flags ").append(flagNames(flags));
        keyType().ifPresent(t -> sb.append("  key_type ").append(t));
        if (!def.kind().isGlobalData()) {
            valueType().ifPresent(t -> sb.append("  value_type ").append(t));
        }
        if (def.mapExtra() != 0) {
            sb.append("  map_extra ").append(mapExtra);
        }
        if (frozenAfterLoad()) {
            sb.append("  (frozen after load)");
        }
        return sb.toString();
    }

    static String flagNames(int flags) {
        if (flags == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        String[] names = {"NO_PREALLOC", "NO_COMMON_LRU", "NUMA_NODE", "RDONLY", "WRONLY", "STACK_BUILD_ID", "ZERO_SEED",
                "RDONLY_PROG", "WRONLY_PROG", "CLONE", "MMAPABLE", "PRESERVE_ELEMS", "INNER_MAP", "LINK", "PATH_FD",
                "VTYPE_BTF_OBJ_FD", "TOKEN_FD", "SEGV_ON_FAULT", "NO_USER_CONV"};
        int rest = flags;
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
                rest &= ~(1 << i);
            }
        }
        if ((rest & MapFlags.INSN_ARRAY_SDT) != 0) {
            sb.append(sb.isEmpty() ? "" : "|").append("INSN_ARRAY_SDT");
            rest &= ~MapFlags.INSN_ARRAY_SDT;
        }
        if (rest != 0) {
            sb.append(sb.isEmpty() ? "" : "|").append("0x").append(Integer.toHexString(rest));
        }
        return sb.toString();
    }
}
