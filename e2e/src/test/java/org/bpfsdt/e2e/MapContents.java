package org.bpfsdt.e2e;

import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.MapType;
import org.bpfsdt.oracle.KernelBpf;
import org.bpfsdt.oracle.KernelObject;

/**
 * A map's entries in a form this runtime's maps and the kernel's can be compared in: hex key to
 * hex value, in key order (hash tables iterate in seed-dependent orders). Per-CPU values are
 * summed over the CPUs word by word (the CPU a run lands on differs between the two), queues and
 * stacks are popped until empty. Ring buffers, program arrays, bloom filters and instruction
 * arrays have no comparable contents here.
 */
final class MapContents {
    /** The types whose contents are compared. */
    static final Set<MapType> COMPARABLE = Set.of(MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.HASH, MapType.PERCPU_HASH,
            MapType.LRU_HASH, MapType.LRU_PERCPU_HASH, MapType.LPM_TRIE, MapType.QUEUE, MapType.STACK);

    private MapContents() {
    }

    static SortedMap<String, String> of(BpfMap m) {
        return read(m.type(), m.valueSize(), m::nextKey, m::lookup, () -> m.lookupAndDelete(null));
    }

    static SortedMap<String, String> ofKernel(int fd, MapType type, int keySize, int valueSize) {
        int bytes = type.isPerCpu() ? KernelBpf.possibleCpus() * ((valueSize + 7) & ~7) : valueSize;
        return read(type, valueSize, k -> KernelBpf.mapNextKey(fd, k, keySize), k -> KernelBpf.mapLookup(fd, k, bytes),
                () -> KernelBpf.mapLookupAndDelete(fd, null, valueSize));
    }

    private static SortedMap<String, String> read(MapType type, int valueSize, Function<byte[], Optional<byte[]>> next,
                                                  Function<byte[], Optional<byte[]>> lookup, Supplier<Optional<byte[]>> pop) {
        SortedMap<String, String> out = new TreeMap<>();
        HexFormat hex = HexFormat.of();
        if (type == MapType.QUEUE || type == MapType.STACK) {
            int i = 0;
            for (Optional<byte[]> v = pop.get(); v.isPresent(); v = pop.get()) {
                out.put("%04d".formatted(i++), hex.formatHex(v.get()));
            }
            return out;
        }
        for (Optional<byte[]> k = next.apply(null); k.isPresent(); k = next.apply(k.get())) {
            byte[] key = k.get();
            lookup.apply(key).ifPresent(v -> out.put(hex.formatHex(key), hex.formatHex(type.isPerCpu() ? sumPerCpu(v, valueSize) : v)));
        }
        return out;
    }

    /** One value: the CPUs' values (each rounded up to 8 bytes) added as little-endian u64 words. */
    private static byte[] sumPerCpu(byte[] all, int valueSize) {
        int stride = (valueSize + 7) & ~7;
        long[] words = new long[stride / 8];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int cpu = 0; cpu + stride <= all.length; cpu += stride) {
            for (int w = 0; w < words.length; w++) {
                words[w] += b.getLong(cpu + 8 * w);
            }
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(stride).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            out.putLong(w);
        }
        return out.array();
    }

    /** Every comparable map of an object by name. */
    static Map<String, SortedMap<String, String>> all(org.bpfsdt.loader.LoadedObject o) {
        Map<String, SortedMap<String, String>> out = new TreeMap<>();
        for (var m : o.object().maps()) {
            if (COMPARABLE.contains(m.type())) {
                out.put(m.name(), of(o.map(m.name())));
            }
        }
        return out;
    }

    static Map<String, SortedMap<String, String>> all(KernelObject k, org.bpfsdt.loader.ObjectFile obj) {
        Map<String, SortedMap<String, String>> out = new TreeMap<>();
        for (var m : obj.maps()) {
            if (COMPARABLE.contains(m.type())) {
                out.put(m.name(), ofKernel(k.map(m.name()), m.type(), m.keySize(), m.valueSize()));
            }
        }
        return out;
    }
}
