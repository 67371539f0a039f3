package org.bpfsdt.api.spi;

import org.bpfsdt.api.ProgramType;

/**
 * A PROG_ARRAY map: tail call targets. Java stores program ids (u32 values) and reads them back;
 * the map holds a {@link ProgramRef} per slot. {@link #data()} is the native table of
 * {@code roundup_pow_of_two(max_entries)} program descriptor addresses (0 = empty; slots from
 * {@code max_entries} on stay 0, so an index masked with {@code index_mask} is always safe)
 * that compiled code reads for {@code bpf_tail_call}.
 */
public interface ProgArrayBackend extends MapBackend {

    /**
     * {@code bpf_prog_map_compatible}: whether a program of {@code type} may use or be stored in
     * this map. The first program (stored, or loaded with the map) fixes the map's owner type.
     */
    boolean compatible(ProgramType type);

    /** The program in slot {@code index}, or {@code null}; stays usable until the calling run ends. */
    ProgramRef programAt(long index);

    /**
     * {@code prog_array_map_clear}: empties every slot, releasing the programs once no run can
     * still call them. The runtime calls it when the last user handle on the map closes, as the
     * kernel does, so programs that tail call each other through the map do not keep it alive.
     */
    void clear();
}
