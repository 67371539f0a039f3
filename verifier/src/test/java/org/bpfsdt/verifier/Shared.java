package org.bpfsdt.verifier;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared folder (bench programs): the {@code bpfsdt.shared} property, else beside the repository or its worktree folder. */
final class Shared {
    private Shared() {
    }

    static Path dir() {
        String p = System.getProperty("bpfsdt.shared");
        for (String c : new String[] {p, "../../shared", "../../../shared", "../shared"}) {
            if (c != null && Files.isDirectory(Path.of(c, "bench"))) {
                return Path.of(c);
            }
        }
        return Path.of(p == null ? "../../shared" : p);
    }
}
