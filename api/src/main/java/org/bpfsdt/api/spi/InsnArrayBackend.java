package org.bpfsdt.api.spi;

import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.isa.Insn;

/**
 * An INSN_ARRAY map ({@code kernel/bpf/bpf_insn_array.c}): instruction offsets of one program,
 * kept in step by the runtime through verification and compilation. With
 * {@link org.bpfsdt.api.MapFlags#INSN_ARRAY_SDT} each entry is an SDT probe (see
 * {@link InsnArrayValue} for the layout). The runtime calls, in this order: {@link #bind} when a
 * program is loaded with the map, {@link #applyXlation} (or {@link #adjust} /
 * {@link #adjustAfterRemove}) after the verifier's rewrites, {@link #recordJitted} whenever the
 * program's engine changes, and {@link #release} when the program goes away.
 */
public interface InsnArrayBackend extends MapBackend {

    /** Whether the entries are SDT probes. */
    boolean isSdt();

    /**
     * {@code bpf_insn_array_init}: attaches the map to the program being loaded. {@code EINVAL}
     * unless the map is frozen and every entry's {@code orig_off} lies inside {@code insns} and not
     * on an LDDW's second slot (for SDT maps: on a {@code goto +0} NOP, every entry a named probe,
     * names unique); {@code EBUSY} when another program holds the map. Resets every
     * {@code xlated_off} to {@code orig_off}.
     */
    void bind(List<Insn> insns);

    /** {@code bpf_insn_array_release}: the program no longer uses the map; another may bind it. */
    void release();

    /**
     * Moves every live entry to the slot the verifier gave its instruction: {@code origToXlated}
     * holds, for each loaded slot, its xlated slot or -1 when it was removed (the entry becomes
     * deleted).
     */
    void applyXlation(int[] origToXlated);

    /** {@code bpf_insn_array_adjust}: the instruction at xlated {@code off} became {@code len} instructions. */
    void adjust(int off, int len);

    /** {@code bpf_insn_array_adjust_after_remove}: xlated instructions {@code [off, off + len)} were removed. */
    void adjustAfterRemove(int off, int len);

    /**
     * {@code bpf_prog_update_insn_ptrs}: records each live entry's native offset
     * ({@code slotOffsets[xlated_off]}) and, when {@code imageAddress} is not 0, its address.
     * The runtime calls it at every engine change; all-zero offsets with address 0 clear them
     * (the program went back to the interpreter).
     */
    void recordJitted(int[] slotOffsets, long imageAddress);

    /** {@code bpf_insn_array_ready}: whether every live entry has a native address. */
    boolean ready();

    /** The entries as they are now, by index. */
    List<InsnArrayValue> entries();

    /** The entries as SDT probes, by index (deleted ones with {@code xlatedOff} -1); empty without the SDT flag. */
    List<SdtProbe> probes();

    /**
     * {@code bpf_insn_array_get_sdt_probe_by_name} for this map: the first entry, skipping deleted
     * ones, whose probe is named {@code name}; empty when there is none or the map has no SDT flag.
     */
    Optional<SdtProbeInfo> probeByName(String name);
}
