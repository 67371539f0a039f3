package org.bpfsdt.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the project's test programs and the shared yardstick programs and inputs are. */
final class Shared {
    private Shared() {
    }

    static Path testprogs() {
        String root = System.getProperty("bpfsdt.root");
        return (root != null ? Path.of(root, "testprogs") : Path.of("..", "testprogs")).toAbsolutePath().normalize();
    }

    static Path bench() {
        return Path.of(System.getProperty("bpfsdt.shared", "../../shared"), "bench").toAbsolutePath().normalize();
    }

    static Path benchProgs() {
        return bench().resolve("progs");
    }

    /** The yardstick input {@code name} ({@code pkt_tcp4.bin}, {@code pkt_fnv.bin}). */
    static byte[] input(String name) {
        return read(bench().resolve("inputs").resolve(name));
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
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
