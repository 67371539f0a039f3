package org.bpfsdt.distribution.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

import org.bpfsdt.core.runtime.CoreRuntime;

/**
 * The command line run in-process. {@code new Cli()} runs it on the interpreter with the real
 * verifier and maps, so results do not depend on the host; {@link #tool} runs it exactly as the
 * {@code bpfsdt} tool does ({@link Main}, on the runtime {@link java.util.ServiceLoader} finds:
 * verifier, maps, links and the JITs).
 */
public final class Cli implements AutoCloseable {
    /** What a command printed and returned. */
    public record Result(int exit, String out, String err) {
    }

    public final CoreRuntime runtime = new CoreRuntime();

    public Cli() {
        runtime.addVerifier(new org.bpfsdt.verifier.BpfVerifier(), Map.of());
        runtime.addMapProvider(new org.bpfsdt.maps.StandardMapProvider(), Map.of());
    }

    public Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = BpfSdtCommand.commandLine(() -> runtime, new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** One command line as the {@code bpfsdt} tool runs it, on a runtime of its own. */
    public static Result tool(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(exit, out.toString(), err.toString());
    }

    /** A program of the project's {@code testprogs/}. */
    public static String testprog(String name) {
        String root = System.getProperty("bpfsdt.root");
        return (root != null ? Path.of(root, "testprogs") : Path.of("..", "testprogs")).resolve(name).toAbsolutePath().toString();
    }

    /** A yardstick input ({@code pkt_tcp4.bin}). */
    public static String input(String name) {
        return Path.of(System.getProperty("bpfsdt.shared", "../../shared"), "bench", "inputs", name).toAbsolutePath().toString();
    }

    @Override
    public void close() {
        runtime.close();
    }
}
