package org.bpfsdt.distribution.launch;

import java.nio.file.Path;
import java.util.Map;

/**
 * How to start the OSGi distribution.
 *
 * @param layout     the distribution whose {@code bundles/} and {@code osgi/} are installed
 * @param dropins    the folder FileInstall watches for bundles added, updated or removed at run time
 * @param storage    the framework's cache folder (cleaned at start)
 * @param shell      whether the Gogo console starts and reads commands (headless, it stays installed but stopped)
 * @param properties further framework properties, which win over the launcher's
 */
public record LaunchSettings(DistributionLayout layout, Path dropins, Path storage, boolean shell, Map<String, String> properties) {

    public LaunchSettings {
        dropins = dropins.toAbsolutePath().normalize();
        storage = storage.toAbsolutePath().normalize();
        properties = Map.copyOf(properties);
    }

    /** The distribution's own drop-in folder and the given cache, without a console: how tests and services start it. */
    public static LaunchSettings headless(DistributionLayout layout, Path storage) {
        return new LaunchSettings(layout, layout.dropins(), storage, false, Map.of());
    }
}
