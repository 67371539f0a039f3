package org.bpfsdt.core.engine;

import java.util.Locale;

/** The host's instruction set under the names JIT services use ({@code bpf.jit.arch}). */
public final class HostArch {
    private HostArch() {
    }

    /** {@code x86_64}, {@code arm64}, {@code riscv64}, or the lower-cased {@code os.arch} when it is none of those. */
    public static String normalize(String osArch) {
        String a = osArch.toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            case "riscv64", "riscv" -> "riscv64";
            default -> a;
        };
    }

    /** This JVM's architecture. */
    public static String host() {
        return normalize(System.getProperty("os.arch"));
    }
}
