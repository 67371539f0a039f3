package org.bpfsdt.distribution.launch;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/**
 * The folders of an assembled distribution: {@code bundles/} (bpf-sdt's bundles, also the module
 * path of the command line), {@code osgi/} (Felix SCR, Gogo, FileInstall and what they need),
 * {@code lib/} (the Felix framework), {@code dropins/} (watched for bundles added at run time).
 */
public record DistributionLayout(Path home) {

    public DistributionLayout {
        home = home.toAbsolutePath().normalize();
    }

    public Path bundles() {
        return home.resolve("bundles");
    }

    public Path osgi() {
        return home.resolve("osgi");
    }

    public Path lib() {
        return home.resolve("lib");
    }

    public Path dropins() {
        return home.resolve("dropins");
    }

    /** The distribution {@code type} was loaded from, when it was loaded from a jar in a distribution's {@code bundles/}. */
    public static Optional<DistributionLayout> of(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null) {
            return Optional.empty();
        }
        try {
            Path jar = Path.of(source.getLocation().toURI());
            Path bundles = jar.getParent();
            if (Files.isRegularFile(jar) && bundles != null && bundles.getFileName().toString().equals("bundles")
                    && bundles.getParent() != null) {
                return Optional.of(new DistributionLayout(bundles.getParent()));
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file location: no distribution around this class
        }
        return Optional.empty();
    }

    /** The jar this class was loaded from (the launcher needs it on its class path). */
    public static Path jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the jar of " + type.getName(), e);
        }
    }
}
