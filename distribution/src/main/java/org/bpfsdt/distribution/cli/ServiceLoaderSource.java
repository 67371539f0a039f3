package org.bpfsdt.distribution.cli;

import java.util.ServiceLoader;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.Errno;

/**
 * The runtime of a plain JVM: the first {@link BpfRuntime} provider that {@link ServiceLoader}
 * finds (the core module on the module path), opened on first use and closed with this object.
 */
public final class ServiceLoaderSource implements RuntimeSource, AutoCloseable {
    private BpfRuntime runtime;

    @Override
    public synchronized BpfRuntime runtime() {
        if (runtime == null) {
            runtime = ServiceLoader.load(BpfRuntime.class).findFirst().orElseThrow(() -> new BpfException(Errno.ENOENT,
                    "no BpfRuntime provider found: put the bpfsdt-core module on the module path (or its jar on the class path)"));
        }
        return runtime;
    }

    @Override
    public synchronized void close() {
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }
}
