package org.bpfsdt.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process driven as a person drives a console: lines typed on its input, its output (stdout and
 * stderr merged) read as it comes, waits for expected text with a deadline. Closing kills it.
 */
final class ConsoleProcess implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final StringBuilder output = new StringBuilder();
    private final Thread reader;

    private ConsoleProcess(Process process) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = new Thread(this::pump, "console-output");
        reader.setDaemon(true);
        reader.start();
    }

    static ConsoleProcess start(List<String> command, Path workingDir) throws IOException {
        return new ConsoleProcess(new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true).start());
    }

    /** Runs {@code command} to completion and returns its exit code and output. */
    static Result run(List<String> command, Path workingDir, Duration timeout) throws IOException, InterruptedException {
        try (ConsoleProcess p = start(command, workingDir)) {
            p.in.close();
            if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + timeout + ": " + command + "\n" + p.output());
            }
            p.reader.join(10_000);
            return new Result(p.process.exitValue(), p.output());
        }
    }

    record Result(int exitCode, String output) {
    }

    /** Types one line. */
    void type(String line) {
        try {
            in.write(line + "\n");
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the process no longer reads its input:\n" + output(), e);
        }
    }

    /** Everything printed so far. */
    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** Waits until the output after {@code from} contains {@code text}; returns the position after it. */
    int await(String text, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (true) {
                int at = output.indexOf(text, from);
                if (at >= 0) {
                    return at + text.length();
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !reader.isAlive()) {
                    throw new AssertionError("'" + text + "' did not appear within " + timeout
                            + (reader.isAlive() ? "" : " (the process exited)") + "; output:\n" + output);
                }
                output.wait(Math.min(left, 200));
            }
        }
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            char[] buf = new char[4096];
            int n;
            while ((n = r.read(buf)) > 0) {
                synchronized (output) {
                    output.append(buf, 0, n);
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
