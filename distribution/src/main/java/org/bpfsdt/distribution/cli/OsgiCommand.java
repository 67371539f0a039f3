package org.bpfsdt.distribution.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.distribution.launch.DistributionLayout;
import org.bpfsdt.distribution.launch.LauncherProcess;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bpfsdt osgi}: starts the OSGi distribution in a JVM of its own and waits for it. */
@Command(name = "osgi",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Starts the OSGi distribution: Apache Felix with every bpf-sdt bundle, Felix SCR, "
                    + "a Gogo shell with the bpf:* commands, and FileInstall watching a drop-in folder "
                    + "(a bundle copied there is installed and started at once; deleting it uninstalls it).",
            "In the shell: 'bpf:run FILE', 'bpf:engines', 'lb' (bundles), 'help'; Ctrl-D (or 'stop 0') stops."})
final class OsgiCommand implements Callable<Integer> {
    @Option(names = "--dropins", paramLabel = "DIR", defaultValue = "${env:BPFSDT_DROPINS}",
            description = "the drop-in folder (default: $BPFSDT_DROPINS, else dropins/ of the distribution)")
    private Path dropins;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "keep the framework cache in DIR (default: a temporary folder removed at exit)")
    private Path cache;

    @Option(names = "--no-shell", description = "read no commands from the console; run until stopped (Ctrl-C)")
    private boolean noShell;

    @Option(names = "--home", paramLabel = "DIR", hidden = true, description = "the distribution to start")
    private Path home;

    @Override
    public Integer call() throws IOException, InterruptedException {
        DistributionLayout layout = home != null ? new DistributionLayout(home)
                : DistributionLayout.of(OsgiCommand.class).orElseThrow(() -> new BpfException(Errno.ENOENT,
                        "this command line does not run from an assembled distribution; build one with "
                                + "'./mvnw -pl distribution -am package' and use ./bpfsdt"));
        List<String> args = new ArrayList<>();
        if (dropins != null) {
            args.addAll(List.of("--dropins", dropins.toAbsolutePath().toString()));
        }
        if (cache != null) {
            args.addAll(List.of("--cache", cache.toAbsolutePath().toString()));
        }
        if (noShell) {
            args.add("--no-shell");
        }
        Process felix = new ProcessBuilder(LauncherProcess.command(layout, DistributionLayout.jarOf(OsgiCommand.class), args))
                .inheritIO()
                .start();
        // if this JVM is stopped, stop the framework's too (its launcher stops the framework on SIGTERM)
        Thread stopFelix = new Thread(felix::destroy, "bpfsdt-osgi-stop");
        Runtime.getRuntime().addShutdownHook(stopFelix);
        int exit = felix.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stopFelix);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway; the framework has stopped
        }
        return exit;
    }
}
