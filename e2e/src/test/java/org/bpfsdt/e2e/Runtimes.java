package org.bpfsdt.e2e;

import java.util.Map;
import java.util.ServiceLoader;

import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.verifier.BpfVerifier;

/** Runtimes as users get them: the core runtime with the real verifier and maps, and whatever JIT is on the class path. */
final class Runtimes {
    private Runtimes() {
    }

    /** A runtime with the verifier, the map provider and every JIT service found by {@link ServiceLoader}. */
    static CoreRuntime real() {
        CoreRuntime rt = new CoreRuntime();
        rt.addVerifier(new BpfVerifier(), Map.of());
        rt.addMapProvider(new StandardMapProvider(), Map.of());
        ServiceLoader.load(JitCompiler.class).forEach(j -> rt.addJit(j, Map.of()));
        return rt;
    }
}
