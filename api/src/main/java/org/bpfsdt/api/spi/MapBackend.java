package org.bpfsdt.api.spi;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.isa.Insn;

/**
 * One map's implementation. Two sides: the program side works on native addresses and returns
 * what the helpers return (addresses, 0 or a negative errno); the syscall side works on memory
 * segments for Java and throws {@link org.bpfsdt.api.BpfException}. Both may run at once from
 * many threads. Values live at stable addresses: an address returned by {@link #lookup(long)}
 * stays readable until no program run can still hold it.
 */
public interface MapBackend extends AutoCloseable {
    MapSpec spec();

    /** The {@code data} word of the map header (see {@link RuntimeLinkage}): value base of arrays, program table of PROG_ARRAY, else 0. */
    default long data() {
        return 0;
    }

    /**
     * Byte offset of the value's {@code struct bpf_spin_lock}, found in the value's BTF as the
     * kernel's {@code map_check_btf} does, or -1: for {@link MapDescriptor#spinLockOffset()} and
     * the checks of {@code bpf_spin_lock}.
     */
    default int spinLockOffset() {
        return -1;
    }

    // program side ------------------------------------------------------------------------

    /** {@code bpf_map_lookup_elem}: the value's address (this CPU's for per-CPU maps), or 0. */
    long lookup(long keyAddr);

    /** {@code bpf_map_update_elem}: 0 or a negative errno. */
    long update(long keyAddr, long valueAddr, long flags);

    /** {@code bpf_map_delete_elem}: 0 or a negative errno. */
    long delete(long keyAddr);

    /** {@code bpf_map_push_elem} (queue, stack, bloom filter add). */
    default long push(long valueAddr, long flags) {
        return -org.bpfsdt.api.Errno.EINVAL.code();
    }

    /** {@code bpf_map_pop_elem}. */
    default long pop(long valueAddr) {
        return -org.bpfsdt.api.Errno.EINVAL.code();
    }

    /** {@code bpf_map_peek_elem} (queue, stack, bloom filter membership). */
    default long peek(long valueAddr) {
        return -org.bpfsdt.api.Errno.EINVAL.code();
    }

    /**
     * {@code bpf_map_lookup_percpu_elem}: the address of {@code cpu}'s value of a per-CPU map,
     * or 0 (also for a CPU out of range and for maps that are not per-CPU).
     */
    default long lookupPercpu(long keyAddr, int cpu) {
        return 0;
    }

    /**
     * Instructions equivalent to {@code bpf_map_lookup_elem} on this map ({@code r1} = map,
     * {@code r2} = key pointer, result in {@code r0}, may clobber r1..r5), as the kernel's
     * {@code map_gen_lookup}; empty when the helper must be called.
     */
    default Optional<List<Insn>> inlineLookup() {
        return Optional.empty();
    }

    /**
     * A BPF function equivalent to {@code bpf_map_lookup_elem} on this map, written over the
     * map's own native layout, for engines that would otherwise call the helper through an
     * upcall: {@code r1} = map header, {@code r2} = key pointer, the value's address or 0 in
     * {@code r0}. It uses r0..r5 only (any of r1..r5 may be clobbered, as by a helper call),
     * no stack, no calls; only its own jumps and {@code exit}. An engine compiles it once per
     * program and calls it at the call sites whose map the verifier proved
     * ({@link InsnAux#mapIndex()}). It is as safe as the Java lookup while Java and programs
     * update and delete concurrently (lock-free reads of published elements, addresses valid
     * for the rest of the run), and answers exactly as {@link #lookup(long)} does. Empty when
     * the helper must be called.
     */
    default Optional<List<Insn>> lookupFunction() {
        return Optional.empty();
    }

    // syscall side ------------------------------------------------------------------------

    /** Copies the value of {@code key} (all CPUs' for per-CPU maps) into {@code valueOut}; false when absent. */
    boolean lookup(MemorySegment key, MemorySegment valueOut);

    void update(MemorySegment key, MemorySegment value, long flags);

    boolean delete(MemorySegment key);

    /** Writes the key after {@code key} ({@code null}: the first) into {@code nextOut}; false at the end. */
    boolean nextKey(MemorySegment key, MemorySegment nextOut);

    default boolean lookupAndDelete(MemorySegment key, MemorySegment valueOut) {
        throw new org.bpfsdt.api.BpfException(org.bpfsdt.api.Errno.ENOTSUPP, spec().type() + " maps do not support lookup-and-delete");
    }

    /** The value of {@code key} in place (array-like maps), or empty. */
    default Optional<MemorySegment> valueSegment(MemorySegment key) {
        return Optional.empty();
    }

    /**
     * {@code BPF_MAP_FREEZE}: called before the runtime marks the map frozen, so the map can
     * stop handing out writable views and start accepting what needs a frozen map (an
     * INSN_ARRAY's program). May refuse with a {@link org.bpfsdt.api.BpfException}.
     */
    default void freeze() {
    }

    /** Frees the map's memory; called once no program or handle can reach it. */
    @Override
    void close();
}
