package org.bpfsdt.distribution.launch;

import java.nio.file.Path;

/**
 * How to start the OSGi distribution.
 *
 * @param layout     the distribution whose {@code bundles/} and {@code osgi/} are installed
 * @param dropins    the folder FileInstall watches for bundles added, updated or removed at run time
 * @param storage    the framework's cache folder (cleaned at start)
 * @param shell      whether the Gogo console starts and reads commands (headless, it stays installed but stopped)
 */
public record LaunchSettings(DistributionLayout layout, Path dropins, Path storage, boolean shell) {

    public LaunchSettings {
        dropins = dropins.toAbsolutePath().normalize();
        storage = storage.toAbsolutePath().normalize();
    }
}
