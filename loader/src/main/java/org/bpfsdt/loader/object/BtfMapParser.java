package org.bpfsdt.loader.object;

import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.loader.MapKind;

/**
 * Reads BTF-defined map definitions ({@code struct { __uint(type, ...); __type(key, ...); ... } name SEC(".maps")})
 * as libbpf's {@code parse_btf_map_def} does: {@code __uint(f, n)} is a pointer to an array of
 * {@code n} ints, {@code __type(f, T)} a pointer to {@code T}, {@code __array(values, T)} a
 * zero-length array of pointers, last in the struct.
 */
final class BtfMapParser {
    private final Btf btf;
    private final String where;

    /** Where, in the {@code .maps} variable, the {@code values} array starts (bytes), or -1. */
    int valuesOffset = -1;

    BtfMapParser(Btf btf, String where) {
        this.btf = btf;
        this.where = where;
    }

    private BpfException error(String map, String message) {
        return new BpfException(Errno.EINVAL, where + ": map '" + map + "': " + message);
    }

    /** The definition in struct {@code structId}; {@code inner} for a map-in-map's inner template. */
    MapDefinition parse(String name, String kernelName, int structId, boolean inner, List<String> notes) {
        if (!(btf.resolve(structId) instanceof BtfType.Struct def)) {
            throw error(name, "definition is a " + btf.resolve(structId).kind() + ", expected a STRUCT");
        }
        int type = -1, keySize = 0, valueSize = 0, maxEntries = 0, flags = 0, keyTypeId = 0, valueTypeId = 0;
        long mapExtra = 0;
        MapDefinition innerDef = null;
        for (int i = 0; i < def.members().size(); i++) {
            BtfType.Member m = def.members().get(i);
            switch (m.name()) {
                case "type" -> type = intAttr(name, m);
                case "max_entries" -> maxEntries = intAttr(name, m);
                case "map_flags" -> flags = intAttr(name, m);
                case "numa_node" -> intAttr(name, m);
                case "map_extra" -> mapExtra = Integer.toUnsignedLong(intAttr(name, m));
                case "pinning" -> {
                    int pinning = intAttr(name, m);
                    if (pinning != 0 && pinning != 1) {
                        throw error(name, "invalid pinning value " + pinning);
                    }
                    if (pinning != 0) {
                        notes.add("map '" + name + "': pinning is ignored (this runtime has no BPF file system)");
                    }
                }
                case "key_size" -> keySize = sizeAttr(name, "key", keySize, intAttr(name, m));
                case "value_size" -> valueSize = sizeAttr(name, "value", valueSize, intAttr(name, m));
                case "key" -> {
                    keyTypeId = typeAttr(name, m);
                    keySize = sizeAttr(name, "key", keySize, typeSize(name, m, keyTypeId));
                }
                case "value" -> {
                    valueTypeId = typeAttr(name, m);
                    valueSize = sizeAttr(name, "value", valueSize, typeSize(name, m, valueTypeId));
                }
                case "values" -> {
                    if (inner) {
                        throw error(name, "multi-level inner maps are not supported");
                    }
                    if (i != def.members().size() - 1) {
                        throw error(name, "'values' must be the last member");
                    }
                    MapType mt = type < 0 ? null : mapType(name, type);
                    boolean mapInMap = mt == MapType.ARRAY_OF_MAPS || mt == MapType.HASH_OF_MAPS;
                    if (mt != MapType.PROG_ARRAY && !mapInMap) {
                        throw error(name, "'values' needs a PROG_ARRAY or map-in-map type declared before it");
                    }
                    valueSize = sizeAttr(name, "value", valueSize, 4);
                    if (!(btf.type(m.type()) instanceof BtfType.Array arr) || arr.nelems() != 0) {
                        throw error(name, "'values' must be a zero-length array");
                    }
                    BtfType elem = btf.resolve(arr.elemType());
                    if (!(elem instanceof BtfType.Ptr p)) {
                        throw error(name, "'values' must be an array of pointers, not of " + elem.kind());
                    }
                    BtfType target = btf.resolve(p.type());
                    if (mt == MapType.PROG_ARRAY) {
                        if (!(target instanceof BtfType.FuncProto)) {
                            throw error(name, "PROG_ARRAY 'values' must point to functions, not to " + target.kind());
                        }
                    } else {
                        innerDef = parse(name + ".inner", "", btf.skipModifiers(p.type()), true, notes);
                    }
                    valuesOffset = (int) (Integer.toUnsignedLong(m.bitOffset()) / 8);
                }
                default -> throw new BpfException(Errno.EOPNOTSUPP, where + ": map '" + name + "': unknown field '" + m.name() + "'");
            }
        }
        if (type < 0) {
            throw error(name, "no type declared (__uint(type, BPF_MAP_TYPE_...))");
        }
        MapType mapType = mapType(name, type);
        return new MapDefinition(name, kernelName, MapKind.DEFINED, mapType, keySize, valueSize, maxEntries, flags, mapExtra,
                keyTypeId, valueTypeId, new byte[0], List.of(), innerDef);
    }

    private MapType mapType(String name, int type) {
        try {
            return MapType.byKernelId(type);
        } catch (BpfException e) {
            throw error(name, "unknown map type " + type);
        }
    }

    private int sizeAttr(String name, String what, int previous, long size) {
        if (size > Integer.MAX_VALUE) {
            throw error(name, what + " size " + size + " is too large");
        }
        if (previous != 0 && previous != size) {
            throw error(name, "conflicting " + what + " size " + previous + " != " + size);
        }
        return (int) size;
    }

    /** {@code __uint(name, n)}: a pointer to {@code int[n]}. */
    private int intAttr(String map, BtfType.Member m) {
        BtfType t = btf.resolve(m.type());
        if (!(t instanceof BtfType.Ptr p)) {
            throw error(map, "attribute '" + m.name() + "': expected a PTR (__uint), got " + t.kind());
        }
        BtfType arr = btf.type(p.type());
        if (!(arr instanceof BtfType.Array a)) {
            throw error(map, "attribute '" + m.name() + "': expected a PTR to an ARRAY (__uint), got a PTR to " + arr.kind());
        }
        return a.nelems();
    }

    /** {@code __type(name, T)}: a pointer to {@code T}; gives T's id. */
    private int typeAttr(String map, BtfType.Member m) {
        BtfType t = btf.resolve(m.type());
        if (!(t instanceof BtfType.Ptr p)) {
            throw error(map, "attribute '" + m.name() + "': expected a PTR (__type), got " + t.kind());
        }
        return p.type();
    }

    private long typeSize(String map, BtfType.Member m, int typeId) {
        try {
            return btf.sizeOf(typeId);
        } catch (BpfException e) {
            throw error(map, "attribute '" + m.name() + "': type " + btf.typeName(typeId) + " has no size");
        }
    }
}
