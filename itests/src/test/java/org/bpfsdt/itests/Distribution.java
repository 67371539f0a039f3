package org.bpfsdt.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The assembled product under test ({@code distribution/target/bpfsdt}) and the repository's examples. */
final class Distribution {
    private Distribution() {
    }

    static Path home() {
        Path home = Path.of(System.getProperty("bpfsdt.home", "../distribution/target/bpfsdt")).toAbsolutePath().normalize();
        if (!Files.isDirectory(home.resolve("bundles"))) {
            throw new IllegalStateException("no assembled distribution at " + home + "; run ./mvnw -B verify from the root");
        }
        return home;
    }

    static Path examples() {
        return inRepository("examples");
    }

    static Path testprogs() {
        return inRepository("testprogs");
    }

    static Path packet() {
        return inShared("bench/inputs/pkt_tcp4.bin");
    }

    static Path conformance() {
        return inShared("conformance");
    }

    private static Path inRepository(String path) {
        return Path.of(System.getProperty("bpfsdt.root", "..")).resolve(path).toAbsolutePath().normalize();
    }

    private static Path inShared(String path) {
        return Path.of(System.getProperty("bpfsdt.shared", "../../shared")).resolve(path).toAbsolutePath().normalize();
    }

    /** bpf-sdt's bundles (also the command line's module path). */
    static List<Path> bundles() {
        return jars(home().resolve("bundles"));
    }

    /** The OSGi runtime around them: SCR, Gogo, FileInstall and their APIs. */
    static List<Path> osgiRuntime() {
        return jars(home().resolve("osgi"));
    }

    /** The one jar of {@code dir} whose name starts with {@code prefix}. */
    static Path jar(Path dir, String prefix) {
        List<Path> matches = jars(dir).stream().filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        if (matches.size() != 1) {
            throw new IllegalStateException("expected one " + prefix + "*.jar in " + dir + ", found " + matches);
        }
        return matches.getFirst();
    }

    static List<Path> jars(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code java} of the JDK running the tests. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
