package org.bpfsdt.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the project's test programs and the shared yardstick programs are. */
final class TestObjects {
    private TestObjects() {
    }

    static Path testprogs() {
        String root = System.getProperty("bpfsdt.root");
        Path p = root != null ? Path.of(root, "testprogs") : Path.of("..", "testprogs");
        return p.toAbsolutePath().normalize();
    }

    static Path benchProgs() {
        return Path.of(System.getProperty("bpfsdt.shared", "../../shared"), "bench", "progs").toAbsolutePath().normalize();
    }

    static Path testprog(String name) {
        return testprogs().resolve(name);
    }

    static ObjectFile open(String name) {
        return ObjectFile.open(testprog(name));
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(testprog(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> objectsIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".o")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
