package org.bpfsdt.core.runtime;

import java.util.Map;
import java.util.ServiceLoader;

import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.api.spi.LinkProvider;
import org.bpfsdt.api.spi.MapProvider;
import org.bpfsdt.api.spi.Verifier;

/**
 * The runtime outside OSGi: {@code ServiceLoader.load(BpfRuntime.class)} gives one that found
 * its verifier, map providers, link providers and JITs with {@link ServiceLoader} when it was
 * made. On the module path it is created through {@link #provider()}, on the class path
 * through the public constructor.
 */
public final class ServiceLoaderRuntime extends CoreRuntime {

    public ServiceLoaderRuntime() {
        ClassLoader cl = ServiceLoaderRuntime.class.getClassLoader();
        ServiceLoader.load(Verifier.class, cl).forEach(v -> addVerifier(v, Map.of()));
        ServiceLoader.load(MapProvider.class, cl).forEach(p -> addMapProvider(p, Map.of()));
        ServiceLoader.load(LinkProvider.class, cl).forEach(p -> addLinkProvider(p, Map.of()));
        ServiceLoader.load(JitCompiler.class, cl).forEach(j -> addJit(j, Map.of()));
    }

    /** The ServiceLoader provider method (module path). */
    public static BpfRuntime provider() {
        return new ServiceLoaderRuntime();
    }
}
