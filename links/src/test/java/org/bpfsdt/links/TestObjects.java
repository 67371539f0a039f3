package org.bpfsdt.links;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bpfsdt.loader.ObjectFile;

/** The project's test programs ({@code testprogs/}) and the shared inputs. */
final class TestObjects {
    private TestObjects() {
    }

    static ObjectFile open(String name) {
        String root = System.getProperty("bpfsdt.root");
        Path dir = root != null ? Path.of(root, "testprogs") : Path.of("..", "testprogs");
        return ObjectFile.open(dir.resolve(name));
    }

    /** The 64-byte IPv4/TCP packet of the shared yardsticks. */
    static byte[] packet() {
        Path p = Path.of(System.getProperty("bpfsdt.shared", "../../shared"), "bench", "inputs", "pkt_tcp4.bin");
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
