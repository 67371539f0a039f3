package org.bpfsdt.maps;

import java.util.EnumSet;
import java.util.Set;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.api.spi.MapProvider;
import org.bpfsdt.maps.array.ArrayMap;
import org.bpfsdt.maps.array.InsnArrayMap;
import org.bpfsdt.maps.array.ProgArrayMap;
import org.bpfsdt.maps.hash.HashTableMap;
import org.bpfsdt.maps.lpm.LpmTrieMap;
import org.bpfsdt.maps.queue.BloomFilterMap;
import org.bpfsdt.maps.queue.QueueStackMap;
import org.bpfsdt.maps.ringbuf.RingBufMap;
import org.bpfsdt.maps.support.CreateChecks;
import org.bpfsdt.maps.support.MemoryAccounting;
import org.osgi.service.component.annotations.Component;

/**
 * The map types of the kernel that bpf-sdt implements, as one service. Creation checks the
 * spec as {@code BPF_MAP_CREATE} does (common checks, then the type's own) before it allocates.
 */
@Component(service = MapProvider.class)
public final class StandardMapProvider implements MapProvider {
    private static final Set<MapType> TYPES = EnumSet.of(MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.HASH, MapType.PERCPU_HASH,
            MapType.LRU_HASH, MapType.LRU_PERCPU_HASH, MapType.RINGBUF, MapType.PROG_ARRAY, MapType.QUEUE, MapType.STACK,
            MapType.LPM_TRIE, MapType.BLOOM_FILTER, MapType.INSN_ARRAY);

    private final MemoryAccounting memory = new MemoryAccounting();

    @Override
    public Set<MapType> types() {
        return TYPES;
    }

    @Override
    public MapBackend create(MapSpec spec, MapContext context) {
        CreateChecks.common(spec);
        CreateChecks.name(spec);
        return switch (spec.type()) {
            case ARRAY, PERCPU_ARRAY -> ArrayMap.create(spec, context, memory);
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH -> HashTableMap.create(spec, context, memory);
            case RINGBUF -> RingBufMap.create(spec, context, memory);
            case PROG_ARRAY -> ProgArrayMap.create(spec, context, memory);
            case QUEUE, STACK -> QueueStackMap.create(spec, context, memory);
            case LPM_TRIE -> LpmTrieMap.create(spec, context, memory);
            case BLOOM_FILTER -> BloomFilterMap.create(spec, context, memory);
            case INSN_ARRAY -> InsnArrayMap.create(spec, context, memory);
            default -> throw new BpfException(Errno.EINVAL, spec.type() + " maps are not implemented by " + getClass().getSimpleName());
        };
    }

    /** Native memory held by the maps this provider created and that are not closed yet. */
    public MemoryAccounting memory() {
        return memory;
    }
}
