package org.bpfsdt.distribution.cli;

import org.bpfsdt.api.BpfRuntime;

/**
 * Where the commands get their runtime: {@link ServiceLoaderSource} on a plain JVM, the OSGi
 * service registry in the Gogo shell. Asked only when a command needs one, so {@code --help}
 * and {@code osgi} work without a runtime.
 */
@FunctionalInterface
public interface RuntimeSource {
    BpfRuntime runtime();
}
