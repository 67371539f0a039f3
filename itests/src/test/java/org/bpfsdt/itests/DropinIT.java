package org.bpfsdt.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.bpfsdt.distribution.launch.DistributionLayout;
import org.bpfsdt.distribution.launch.LauncherProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OSGi distribution as {@code bpfsdt osgi} runs it, driven through its Gogo console: a bundle
 * copied into the drop-in folder while it runs is installed and started by FileInstall, its
 * services appear (and with them what needs them); deleting it takes them away again.
 */
class DropinIT {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration PICK_UP = Duration.ofSeconds(30);
    private static final String PROMPT = "g! ";

    @TempDir
    Path tmp;

    private final String hello = Distribution.examples().resolve("hello.asm").toString();

    @Test
    void theRuntimeBundleDroppedInIsStartedAndItsShellCommandsAppearAndGo() throws Exception {
        Path core = Distribution.jar(Distribution.home().resolve("bundles"), "bpfsdt-core-");
        try (ConsoleProcess felix = startWithout(core)) {
            int at = felix.await(PROMPT, 0, START);
            at = untilOutput(felix, "bpf:engines", contains("Command not found: bpf:engines"), at);

            Path dropped = Files.copy(core, tmp.resolve("dropins").resolve(core.getFileName()));
            at = untilOutput(felix, "bpf:engines", contains("interpreter"), at);
            at = untilOutput(felix, "bpf:run '" + hello + "' --mem 01", contains("r0 = 0x2b (43)"), at);
            at = untilOutput(felix, "lb -l org.bpfsdt.core", contains(tmp.resolve("dropins").toString()), at);

            Files.delete(dropped);
            untilOutput(felix, "bpf:engines", contains("Command not found: bpf:engines"), at);
        }
    }

    @Test
    void aJitBundleDroppedInBecomesAnEngineOfTheRunningRuntime() throws Exception {
        Path jit = Distribution.jar(Distribution.home().resolve("bundles"), "bpfsdt-jit-x86_64-");
        assumeTrue(provides(jit, "org.bpfsdt.api.spi.JitCompiler"), "the x86_64 JIT bundle offers no JitCompiler service yet");
        assumeTrue(List.of("amd64", "x86_64").contains(System.getProperty("os.arch")), "its code runs on x86_64 hosts only");
        try (ConsoleProcess felix = startWithout(jit)) {
            int at = felix.await(PROMPT, 0, START);
            Predicate<String> interpreterOnly = out -> out.contains("interpreter") && !out.contains("x86_64");
            at = untilOutput(felix, "bpf:engines", interpreterOnly, at);

            Path dropped = Files.copy(jit, tmp.resolve("dropins").resolve(jit.getFileName()));
            at = untilOutput(felix, "bpf:engines", contains("x86_64"), at);
            at = untilOutput(felix, "bpf:run --engine x86_64 '" + hello + "' --mem 01",
                    out -> out.contains("r0 = 0x2b (43)") && out.contains("engine: x86_64"), at);

            Files.delete(dropped);
            untilOutput(felix, "bpf:engines", interpreterOnly, at);
        }
    }

    /** Starts a copy of the assembled distribution lacking {@code bundle}, with an empty drop-in folder. */
    private ConsoleProcess startWithout(Path bundle) throws IOException {
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
        List<String> cmd = LauncherProcess.command(layout, Distribution.jar(layout.bundles(), "bpfsdt-distribution-"),
                List.of("--dropins", tmp.resolve("dropins").toString(), "--cache", tmp.resolve("cache").toString()));
        return ConsoleProcess.start(cmd, tmp);
    }

    /** Types {@code command} at each prompt until its output satisfies {@code expected}; returns the position after that output. */
    private static int untilOutput(ConsoleProcess felix, String command, Predicate<String> expected, int from)
            throws InterruptedException {
        long deadline = System.nanoTime() + PICK_UP.toNanos();
        int at = from;
        while (true) {
            felix.type(command);
            int end = felix.await(PROMPT, at, PICK_UP);
            if (expected.test(felix.output().substring(at, end))) {
                return end;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + command + "' never printed what was expected within " + PICK_UP
                        + "; output:\n" + felix.output());
            }
            at = end;
            Thread.sleep(250);
        }
    }

    private static Predicate<String> contains(String text) {
        return out -> out.contains(text);
    }

    private static boolean provides(Path jar, String service) {
        return ModuleFinder.of(jar).findAll().stream()
                .anyMatch(m -> m.descriptor().provides().stream().anyMatch(p -> p.service().equals(service)));
    }
}
