package org.bpfsdt.api.spi;

import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.MapType;
import org.bpfsdt.api.btf.Btf;

/**
 * What the verifier and the engines know of a map a program uses.
 *
 * @param id              map id
 * @param type            map type
 * @param keySize         key bytes
 * @param valueSize       value bytes
 * @param maxEntries      max entries
 * @param flags           creation flags
 * @param frozen          frozen (and read-only for programs if also {@code RDONLY_PROG})
 * @param btf             the BTF of key and value, or {@code null}
 * @param btfValueTypeId  the value's BTF type id, or 0
 * @param spinLockOffset  offset of a {@code struct bpf_spin_lock} in the value, or -1
 * @param address         the map pointer programs receive ({@code BPF_PSEUDO_MAP_FD} loads it)
 * @param valueBase       for ARRAY-like maps, the address of entry 0's value (direct value access), else 0
 * @param inlineLookup    instructions that replace {@code bpf_map_lookup_elem} for this map (r1 = map, r2 = key, result in r0), as the kernel's {@code map_gen_lookup}; empty when the helper must be called
 * @param lookupFunction  a BPF function a JIT may compile and call instead of {@code bpf_map_lookup_elem} on this map
 *                        ({@link MapBackend#lookupFunction()}); empty when the helper must be called
 */
public record MapDescriptor(int id, MapType type, int keySize, int valueSize, int maxEntries, int flags, boolean frozen,
                            Btf btf, int btfValueTypeId, int spinLockOffset, long address, long valueBase,
                            Optional<List<org.bpfsdt.api.isa.Insn>> inlineLookup, Optional<List<org.bpfsdt.api.isa.Insn>> lookupFunction) {
    public MapDescriptor {
        lookupFunction = lookupFunction == null ? Optional.empty() : lookupFunction;
    }

    /** A descriptor without a lookup function. */
    public MapDescriptor(int id, MapType type, int keySize, int valueSize, int maxEntries, int flags, boolean frozen,
                         Btf btf, int btfValueTypeId, int spinLockOffset, long address, long valueBase,
                         Optional<List<org.bpfsdt.api.isa.Insn>> inlineLookup) {
        this(id, type, keySize, valueSize, maxEntries, flags, frozen, btf, btfValueTypeId, spinLockOffset, address, valueBase,
                inlineLookup, Optional.empty());
    }
}
