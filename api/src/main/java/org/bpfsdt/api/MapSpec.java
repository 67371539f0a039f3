package org.bpfsdt.api;

import java.util.Objects;

import org.bpfsdt.api.btf.Btf;

/**
 * The attributes of {@code BPF_MAP_CREATE}.
 *
 * @param type        the map type
 * @param name        up to 15 characters, as the kernel keeps ({@code ""} for none)
 * @param keySize     bytes of a key (0 for queues, stacks, ring buffers, bloom filters)
 * @param valueSize   bytes of a value (0 for ring buffers)
 * @param maxEntries  entries, or the ring buffer's byte size (a power of two multiple of the page size)
 * @param flags       {@link MapFlags} creation flags
 * @param btf         the BTF describing key and value, or {@code null}
 * @param btfKeyTypeId   the key's type in {@code btf}, or 0
 * @param btfValueTypeId the value's type in {@code btf}, or 0
 * @param mapExtra    {@code map_extra}: the bloom filter's number of hash functions, else 0
 */
public record MapSpec(MapType type, String name, int keySize, int valueSize, int maxEntries, int flags,
                      Btf btf, int btfKeyTypeId, int btfValueTypeId, long mapExtra) {

    public static final int MAX_NAME_LEN = 15;

    public MapSpec {
        Objects.requireNonNull(type, "type");
        name = name == null ? "" : name;
    }

    public static MapSpec of(MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapSpec(type, "", keySize, valueSize, maxEntries, 0, null, 0, 0, 0);
    }

    public MapSpec withName(String n) {
        return new MapSpec(type, n, keySize, valueSize, maxEntries, flags, btf, btfKeyTypeId, btfValueTypeId, mapExtra);
    }

    public MapSpec withFlags(int f) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, f, btf, btfKeyTypeId, btfValueTypeId, mapExtra);
    }

    public MapSpec withMaxEntries(int n) {
        return new MapSpec(type, name, keySize, valueSize, n, flags, btf, btfKeyTypeId, btfValueTypeId, mapExtra);
    }

    public MapSpec withBtf(Btf b, int keyTypeId, int valueTypeId) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, flags, b, keyTypeId, valueTypeId, mapExtra);
    }

    public MapSpec withMapExtra(long extra) {
        return new MapSpec(type, name, keySize, valueSize, maxEntries, flags, btf, btfKeyTypeId, btfValueTypeId, extra);
    }
}
