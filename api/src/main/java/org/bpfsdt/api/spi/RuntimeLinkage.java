package org.bpfsdt.api.spi;

/**
 * The native layouts the runtime shares with compiled code.
 *
 * <p>A map pointer (what {@code BPF_PSEUDO_MAP_FD} loads) points to a map header:
 * {@code u32 type; u32 key_size; u32 value_size; u32 max_entries; u32 flags; u32 id; u64 data;}
 * where {@code data} is, for ARRAY-like maps, the address of value 0, and for PROG_ARRAY the
 * address of a table of {@code max_entries} program descriptor pointers (0 = empty slot).
 * A program descriptor is {@code u64 entry; u32 id; u32 type;} where {@code entry} is the
 * native entry of its code, or 0 when it does not run natively.
 */
public interface RuntimeLinkage {
    int MAP_TYPE = 0, MAP_KEY_SIZE = 4, MAP_VALUE_SIZE = 8, MAP_MAX_ENTRIES = 12, MAP_FLAGS = 16, MAP_ID = 20, MAP_DATA = 24;
    int MAP_HEADER_SIZE = 32;
    int PROG_ENTRY = 0, PROG_ID = 8, PROG_TYPE = 12;
    int PROG_DESCRIPTOR_SIZE = 16;

    /** Native entry of a function {@code long f(long ctx, long progArrayMap, long index)} that runs a tail call target on any engine and returns its r0, for targets without native code. */
    long tailCallFallback();
}
