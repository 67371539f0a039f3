package org.bpfsdt.distribution.launch;

import java.io.IOException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The command that starts {@link FelixLauncher} in a JVM of its own, with only the framework and
 * the launcher on the class path: the bundles must not also be visible as modules or class-path
 * classes, or the framework's class spaces would not be the bundles'. Free of OSGi types so the
 * command line can use it on the module path.
 */
public final class LauncherProcess {
    static final String LAUNCHER = "org.bpfsdt.distribution.launch.FelixLauncher";

    private LauncherProcess() {
    }

    /** {@code java ... FelixLauncher --home ... launcherArgs}, with the JDK running this JVM. */
    public static List<String> command(DistributionLayout layout, Path launcherJar, List<String> launcherArgs) throws IOException {
        List<String> classPath = new ArrayList<>();
        try (Stream<Path> s = Files.list(layout.lib())) {
            s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(p -> classPath.add(p.toString()));
        }
        classPath.add(launcherJar.toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        // Felix still touches sun.misc.Unsafe; allowed quietly, the warning tells users nothing
        cmd.add("--sun-misc-unsafe-memory-access=allow");
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classPath));
        cmd.add(LAUNCHER);
        cmd.add("--home");
        cmd.add(layout.home().toString());
        cmd.addAll(launcherArgs);
        return cmd;
    }
}
