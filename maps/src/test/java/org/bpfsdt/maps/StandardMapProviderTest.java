package org.bpfsdt.maps;

import static org.bpfsdt.maps.Errors.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.ServiceLoader;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.spi.InsnArrayValue;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.api.spi.MapProvider;
import org.junit.jupiter.api.Test;

class StandardMapProviderTest {
    private final TestContext ctx = new TestContext();

    /** One valid spec per type the provider offers. */
    static List<MapSpec> oneOfEach() {
        return List.of(
                MapSpec.of(MapType.ARRAY, 4, 8, 16),
                MapSpec.of(MapType.PERCPU_ARRAY, 4, 8, 16),
                MapSpec.of(MapType.HASH, 4, 8, 16),
                MapSpec.of(MapType.PERCPU_HASH, 4, 8, 16),
                MapSpec.of(MapType.LRU_HASH, 4, 8, 16),
                MapSpec.of(MapType.LRU_PERCPU_HASH, 4, 8, 16),
                MapSpec.of(MapType.RINGBUF, 0, 0, 4096 * 4),
                MapSpec.of(MapType.PROG_ARRAY, 4, 4, 16),
                MapSpec.of(MapType.QUEUE, 0, 8, 16),
                MapSpec.of(MapType.STACK, 0, 8, 16),
                MapSpec.of(MapType.LPM_TRIE, 8, 8, 16).withFlags(MapFlags.NO_PREALLOC),
                MapSpec.of(MapType.BLOOM_FILTER, 0, 8, 16).withMapExtra(3),
                MapSpec.of(MapType.INSN_ARRAY, 4, InsnArrayValue.SIZE, 16),
                MapSpec.of(MapType.INSN_ARRAY, 4, InsnArrayValue.SDT_SIZE, 16).withFlags(MapFlags.INSN_ARRAY_SDT));
    }

    @Test
    void serviceLoaderFindsTheProviderOfEveryMapTypeOfIssue3() {
        MapProvider provider = ServiceLoader.load(MapProvider.class).findFirst().orElseThrow();
        assertEquals(EnumSet.of(MapType.ARRAY, MapType.PERCPU_ARRAY, MapType.HASH, MapType.PERCPU_HASH, MapType.LRU_HASH,
                MapType.LRU_PERCPU_HASH, MapType.RINGBUF, MapType.PROG_ARRAY, MapType.QUEUE, MapType.STACK, MapType.LPM_TRIE,
                MapType.BLOOM_FILTER, MapType.INSN_ARRAY), provider.types());
    }

    @Test
    void theBundleDeclaresADeclarativeServicesComponent() {
        assertNotNull(getClass().getClassLoader().getResource("OSGI-INF/" + StandardMapProvider.class.getName() + ".xml"),
                "bnd generates the component description from @Component");
    }

    @Test
    void everyTypeFreesAllItsNativeMemoryOnClose() {
        StandardMapProvider provider = new StandardMapProvider();
        for (MapSpec spec : oneOfEach()) {
            MapBackend m = provider.create(spec, ctx);
            assertTrue(provider.memory().bytes() > 0, spec.type() + " holds native memory");
            assertEquals(spec, m.spec());
            m.close();
            assertEquals(0, provider.memory().bytes(), spec.type() + " left memory behind");
        }
        assertEquals(0, provider.memory().openMaps());
    }

    @Test
    void refusedSpecsAllocateNothing() {
        StandardMapProvider provider = new StandardMapProvider();
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withName("bad name"), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withName("sixteen_chars_xx"), ctx));
        provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withName("my_map.bss"), ctx).close();
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withMapExtra(5), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withFlags(MapFlags.RDONLY | MapFlags.WRONLY), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.ARRAY, 4, 8, 1).withBtf(null, 1, 0), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.SOCKMAP, 4, 4, 1), ctx));
        assertErrno(Errno.ENOMEM, () -> provider.create(MapSpec.of(MapType.QUEUE, 0, 1 << 22, 1 << 30), ctx));
        assertEquals(0, provider.memory().bytes());
        assertEquals(0, provider.memory().openMaps());
    }
}
