package org.bpfsdt.jit.x86_64.codegen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Optional instruction set extensions the generated code may use.
 *
 * @param bmi2 {@code shlx/shrx/sarx}: shifts by any register without going through {@code cl}
 */
public record CpuFeatures(boolean bmi2) {
    /** Only the x86-64 baseline. */
    public static final CpuFeatures BASELINE = new CpuFeatures(false);

    /** What this host's processors offer (the flags of {@code /proc/cpuinfo}); the baseline where that cannot be read. */
    public static CpuFeatures ofHost() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    Set<String> flags = Set.of(Pattern.compile("\\s+").split(line.substring(line.indexOf(':') + 1).trim()));
                    return new CpuFeatures(flags.contains("bmi2"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no cpuinfo (a container without /proc): the baseline is always correct
        }
        return BASELINE;
    }
}
