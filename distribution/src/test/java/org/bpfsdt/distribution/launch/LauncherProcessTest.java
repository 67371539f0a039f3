package org.bpfsdt.distribution.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherProcessTest {
    @TempDir
    Path home;

    @Test
    void theFrameworkJvmSeesOnlyFelixAndTheLauncherAndMayUseNativeCode() throws IOException {
        Files.createDirectories(home.resolve("lib"));
        Path felix = Files.createFile(home.resolve("lib/org.apache.felix.framework-7.0.5.jar"));
        Path launcher = home.resolve("bundles/bpfsdt-distribution.jar");
        DistributionLayout layout = new DistributionLayout(home);

        List<String> cmd = LauncherProcess.command(layout, launcher, List.of("--no-shell"));

        assertTrue(cmd.getFirst().endsWith("/bin/java"), cmd.getFirst());
        assertTrue(cmd.contains("--enable-native-access=ALL-UNNAMED"), "bundle code is in unnamed modules");
        assertEquals(felix + File.pathSeparator + launcher, cmd.get(cmd.indexOf("-cp") + 1));
        assertEquals(List.of(LauncherProcess.LAUNCHER, "--home", home.toString(), "--no-shell"),
                cmd.subList(cmd.indexOf(LauncherProcess.LAUNCHER), cmd.size()));
    }

    @Test
    void aClassFromABundlesFolderJarKnowsItsDistribution() {
        // the tests run from target/classes, which is no distribution
        assertTrue(DistributionLayout.of(LauncherProcessTest.class).isEmpty());
        assertEquals(home.resolve("osgi"), new DistributionLayout(home).osgi());
    }
}
