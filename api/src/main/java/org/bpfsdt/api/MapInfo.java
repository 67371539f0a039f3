package org.bpfsdt.api;

/** What a map is ({@code bpf_map_info}). */
public record MapInfo(int id, MapType type, String name, int keySize, int valueSize, int maxEntries, int flags, boolean frozen) {
}
