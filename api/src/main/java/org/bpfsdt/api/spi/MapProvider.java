package org.bpfsdt.api.spi;

import java.util.Set;

import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;

/** A service that implements some map types. The runtime asks the one that offers a spec's type. */
public interface MapProvider {
    Set<MapType> types();

    /**
     * Creates a map; throws {@link org.bpfsdt.api.BpfException} ({@code EINVAL}, {@code E2BIG},
     * {@code ENOMEM}...) for a spec the kernel would refuse, allocating nothing.
     */
    MapBackend create(MapSpec spec, MapContext context);
}
