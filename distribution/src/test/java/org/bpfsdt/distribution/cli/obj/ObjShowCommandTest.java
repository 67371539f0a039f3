package org.bpfsdt.distribution.cli.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.bpfsdt.distribution.cli.Cli;
import org.bpfsdt.loader.ObjectFile;
import org.junit.jupiter.api.Test;

/** {@code bpfsdt obj show OBJ}: the loader's report of an object, nothing loaded. */
class ObjShowCommandTest {

    @Test
    void showsTheLoadersReport() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("obj", "show", Cli.testprog("map_array.o"));
            assertEquals(0, r.exit(), r.err());
            assertEquals(ObjectFile.open(Path.of(Cli.testprog("map_array.o"))).report(), r.out());
            assertTrue(r.out().contains("array_ops") && r.out().contains("counters"), r.out());
            assertTrue(cli.runtime.programs().isEmpty() && cli.runtime.maps().isEmpty(), "nothing was loaded");
        }
    }

    @Test
    void aMissingFileIsOneLineAndExitCodeOne() {
        try (Cli cli = new Cli()) {
            Cli.Result r = cli.run("obj", "show", "/no/such/file.o");
            assertEquals(1, r.exit());
            assertTrue(r.err().startsWith("bpfsdt obj show: "), r.err());
        }
    }
}
