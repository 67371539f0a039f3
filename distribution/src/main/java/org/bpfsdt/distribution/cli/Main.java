package org.bpfsdt.distribution.cli;

import java.io.PrintWriter;

/** The {@code bpfsdt} command line on a plain JVM (the {@code ./bpfsdt} launcher runs it on the module path). */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line against a runtime from {@link java.util.ServiceLoader} and returns its exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        try (ServiceLoaderSource runtime = new ServiceLoaderSource()) {
            return BpfSdtCommand.commandLine(runtime, out, err).execute(args);
        }
    }
}
