package org.bpfsdt.distribution.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

import org.bpfsdt.api.TracePipe;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bpfsdt trace}: the runtime's trace pipe, like {@code /sys/kernel/tracing/trace_pipe}:
 * the lines {@code bpf_trace_printk} printed, taken from the pipe as they are read. Useful in
 * the OSGi shell, where the runtime outlives a command; {@code bpfsdt prog run --trace} shows a
 * run's lines.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Prints the lines bpf_trace_printk wrote to the runtime's trace pipe, and takes them from it.",
            "Each line: the program id, the CPU, the time since boot in seconds, and the text."})
public final class TraceCommand implements Runnable {
    @ParentCommand
    private BpfSdtCommand parent;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-f", "--follow"}, description = "keep printing lines as they come, until interrupted or --timeout passes")
    private boolean follow;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
            description = "with --follow, stop after this many seconds without a line (0: never)")
    private double timeout;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        TracePipe pipe = parent.runtime().tracePipe();
        pipe.drain().forEach(l -> out.println(format(l)));
        out.flush();
        if (!follow) {
            return;
        }
        Duration wait = timeout > 0 ? Duration.ofNanos((long) (timeout * 1e9)) : Duration.ofDays(365);
        try {
            for (TracePipe.Line l = pipe.poll(wait); l != null; l = pipe.poll(wait)) {
                out.println(format(l));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A trace line as the kernel's trace pipe shows one: {@code prog 7 [001] 12345.678901: bpf_trace_printk: text}. */
    public static String format(TracePipe.Line l) {
        return String.format(Locale.ROOT, "prog %d [%03d] %d.%06d: bpf_trace_printk: %s", l.programId(), l.cpu(),
                l.timestampNs() / 1_000_000_000L, l.timestampNs() % 1_000_000_000L / 1000, l.text());
    }
}
