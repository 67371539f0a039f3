package org.bpfsdt.loader.object;

import java.util.List;

import org.bpfsdt.api.MapType;
import org.bpfsdt.loader.MapKind;

/**
 * A map as an object defines it.
 *
 * @param name           name in the object: the variable of a {@code .maps} entry, or the data section's name
 * @param kernelName     the name given to the runtime (libbpf's rules; at most 15 characters)
 * @param kind           where it comes from
 * @param type           map type
 * @param keySize        key bytes
 * @param valueSize      value bytes
 * @param maxEntries     max entries
 * @param flags          {@code map_flags}
 * @param mapExtra       {@code map_extra}
 * @param btfKeyTypeId   key type in the object's BTF, or 0
 * @param btfValueTypeId value type (for global data: the DATASEC), or 0
 * @param initialValue   global data: the section's bytes; else empty
 * @param initialSlots   PROG_ARRAY {@code __array(values, ...)}: the program name for each slot ({@code null}: empty)
 * @param inner          map-in-map: the inner map's definition, or {@code null}
 */
public record MapDefinition(String name, String kernelName, MapKind kind, MapType type, int keySize, int valueSize,
                            int maxEntries, int flags, long mapExtra, int btfKeyTypeId, int btfValueTypeId,
                            byte[] initialValue, List<String> initialSlots, MapDefinition inner) {
    public MapDefinition {
        initialValue = initialValue.clone();
        initialSlots = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(initialSlots));
    }

    @Override
    public byte[] initialValue() {
        return initialValue.clone();
    }

    /** This definition with {@code slots} as its {@code __array(values, ...)} contents; an unset max_entries becomes their number, as in libbpf. */
    public MapDefinition withInitialSlots(List<String> slots) {
        return new MapDefinition(name, kernelName, kind, type, keySize, valueSize, maxEntries == 0 ? slots.size() : maxEntries, flags,
                mapExtra, btfKeyTypeId, btfValueTypeId, initialValue, slots, inner);
    }
}
