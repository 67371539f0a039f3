package org.bpfsdt.distribution.launch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Starts the OSGi distribution: an embedded Apache Felix with the distribution's bundles, Felix
 * SCR for the Declarative Services components, the Gogo shell with the {@code bpf:} commands,
 * and Felix FileInstall watching the drop-in folder, so a bundle dropped there (a new JIT back
 * end, say) is installed and started while the framework runs, and removed when deleted.
 *
 * <p>Runs on the class path with the Felix framework (see {@link LauncherProcess}); bundle code
 * lives in unnamed modules, so the JVM needs {@code --enable-native-access=ALL-UNNAMED}.
 */
public final class FelixLauncher {
    private static final String GOGO_NAMESPACE = "org.apache.felix.gogo";

    private FelixLauncher() {
    }

    /** Starts the framework and every bundle of the distribution; a bundle that does not start is reported on stderr. */
    public static Framework start(LaunchSettings settings) throws BundleException, IOException {
        Files.createDirectories(settings.dropins());
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, FelixLauncher.class.getClassLoader())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path (expected the Felix jar from lib/)"));
        Framework framework = factory.newFramework(frameworkProperties(settings));
        framework.init();
        BundleContext context = framework.getBundleContext();
        List<Bundle> installed = new ArrayList<>();
        // our bundles first, so the shell (in osgi/) starts last, below any start-up message
        for (Path jar : jars(settings.layout().bundles(), settings.layout().osgi())) {
            installed.add(context.installBundle(jar.toUri().toString()));
        }
        framework.start();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try {
            // JLine finds its terminal providers through the context class loader, which the Gogo
            // console thread inherits from us: let it be JLine's, or every console is a dumb one
            jlineLoader(installed).ifPresent(thread::setContextClassLoader);
            for (Bundle bundle : installed) {
                if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null || isConsole(bundle) && !settings.shell()) {
                    continue; // headless: the console stays installed but reads nothing
                }
                try {
                    bundle.start();
                } catch (BundleException e) {
                    System.err.println("bpfsdt: bundle " + bundle.getSymbolicName() + " did not start: " + e.getMessage());
                }
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
        return framework;
    }

    /** Whether {@code bundle} is a Gogo console (it provides the shell implementation capability). */
    private static boolean isConsole(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && revision.getDeclaredCapabilities(GOGO_NAMESPACE).stream()
                .anyMatch(c -> "shell.implementation".equals(c.getAttributes().get(GOGO_NAMESPACE)));
    }

    private static Optional<ClassLoader> jlineLoader(List<Bundle> bundles) {
        for (Bundle b : bundles) {
            if ("org.jline".equals(b.getSymbolicName())) {
                try {
                    b.start();
                } catch (BundleException e) {
                    return Optional.empty();
                }
                BundleWiring wiring = b.adapt(BundleWiring.class);
                return wiring == null ? Optional.empty() : Optional.ofNullable(wiring.getClassLoader());
            }
        }
        return Optional.empty();
    }

    /** The framework properties: its cache and FileInstall on the drop-in folder. */
    private static Map<String, String> frameworkProperties(LaunchSettings settings) {
        Map<String, String> p = new HashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, settings.storage().toString());
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        p.put("felix.fileinstall.dir", settings.dropins().toString());
        p.put("felix.fileinstall.poll", "500");
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.bundles.new.start", "true");
        return p;
    }

    private static List<Path> jars(Path... dirs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                throw new IOException("not a distribution folder: " + dir + " is missing");
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    /**
     * {@code FelixLauncher --home DIR [--dropins DIR] [--cache DIR] [--no-shell]}: starts the
     * distribution and returns when the framework stops (Ctrl-D in the shell, {@code stop 0}, Ctrl-C).
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        DistributionLayout layout = new DistributionLayout(Path.of(required(options, "--home")));
        boolean temporaryCache = !options.containsKey("--cache");
        Path storage = temporaryCache ? Files.createTempDirectory("bpfsdt-felix-") : Path.of(options.get("--cache"));
        Path dropins = options.containsKey("--dropins") ? Path.of(options.get("--dropins")) : layout.dropins();
        LaunchSettings settings = new LaunchSettings(layout, dropins, storage, !options.containsKey("--no-shell"));
        if (System.console() == null || !System.console().isTerminal()) {
            // commands come from a pipe or a file: a dumb terminal, without JLine's warning about it
            System.setProperty("org.jline.terminal.dumb", "true");
        }

        Framework framework = start(settings);
        Thread stopper = new Thread(() -> stop(framework, temporaryCache ? storage : null), "bpfsdt-shutdown");
        Runtime.getRuntime().addShutdownHook(stopper);
        FrameworkEvent stopped = framework.waitForStop(0);
        try {
            Runtime.getRuntime().removeShutdownHook(stopper);
        } catch (IllegalStateException exiting) {
            return; // a bundle called System.exit (the shell's 'exit'): the hook cleans up
        }
        stop(framework, temporaryCache ? storage : null);
        System.exit(stopped.getType() == FrameworkEvent.ERROR ? 1 : 0);
    }

    private static void stop(Framework framework, Path temporaryCache) {
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException | InterruptedException e) {
            System.err.println("bpfsdt: stopping the framework: " + e.getMessage());
        }
        if (temporaryCache != null) {
            deleteTree(temporaryCache);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("bpfsdt: could not remove the framework cache " + root + ": " + e.getMessage());
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--no-shell" -> options.put(args[i], "");
                case "--home", "--dropins", "--cache" -> {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException(args[i] + " needs a folder");
                    }
                    options.put(args[i], args[++i]);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (expected --home DIR, --dropins DIR, --cache DIR, --no-shell)");
            }
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String v = options.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return v;
    }
}
