package org.bpfsdt.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.bpfsdt.distribution.launch.DistributionLayout;
import org.bpfsdt.distribution.launch.LauncherProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OSGi distribution as {@code bpfsdt osgi} runs it, driven through its Gogo console: a bundle
 * copied into the drop-in folder while it runs is installed and started by FileInstall, its
 * services appear (and with them the shell commands that need them); deleting it takes them away.
 */
class DropinIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration PICK_UP = Duration.ofSeconds(30);
    private static final String PROMPT = "g! ";

    @TempDir
    Path tmp;

    @Test
    void theRuntimeBundleDroppedInWhileRunningIsPickedUpAndRemovedAgain() throws Exception {
        Path core = Distribution.jar(Distribution.home().resolve("bundles"), "bpfsdt-core-");
        DistributionLayout layout = distributionWithout(core);
        Path dropins = tmp.resolve("dropins");
        List<String> cmd = LauncherProcess.command(layout, Distribution.jar(layout.bundles(), "bpfsdt-distribution-"),
                List.of("--dropins", dropins.toString(), "--cache", tmp.resolve("cache").toString()));
        String hello = Distribution.examples().resolve("hello.asm").toString();

        try (ConsoleProcess felix = ConsoleProcess.start(cmd, tmp)) {
            int at = felix.await(PROMPT, 0, START);
            at = untilOutput(felix, "bpf:engines", "Command not found: bpf:engines", at);

            Path dropped = Files.copy(core, dropins.resolve(core.getFileName()));
            at = untilOutput(felix, "bpf:engines", "interpreter", at);
            at = untilOutput(felix, "bpf:run '" + hello + "' --mem 01", "r0 = 0x2b (43)", at);
            at = untilOutput(felix, "lb -l org.bpfsdt.core", dropins.toString(), at);

            Files.delete(dropped);
            untilOutput(felix, "bpf:engines", "Command not found: bpf:engines", at);
        }
    }

    /** Types {@code command} at each prompt until its output contains {@code expected}; returns the position after that output. */
    private static int untilOutput(ConsoleProcess felix, String command, String expected, int from) throws InterruptedException {
        long deadline = System.nanoTime() + PICK_UP.toNanos();
        int at = from;
        while (true) {
            felix.type(command);
            int end = felix.await(PROMPT, at, PICK_UP);
            if (felix.output().substring(at, end).contains(expected)) {
                return end;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + command + "' never printed '" + expected + "' within " + PICK_UP
                        + "; output:\n" + felix.output());
            }
            at = end;
            Thread.sleep(250);
        }
    }

    /** A copy of the assembled distribution lacking {@code bundle}. */
    private DistributionLayout distributionWithout(Path bundle) throws IOException {
        Path from = Distribution.home();
        Path to = tmp.resolve("bpfsdt");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.equals(bundle)) {
                    Files.copy(f, target);
                }
            }
        }
        DistributionLayout layout = new DistributionLayout(to);
        assertTrue(Files.notExists(layout.bundles().resolve(bundle.getFileName())));
        return layout;
    }
}
