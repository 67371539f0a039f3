package org.bpfsdt.api;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** The output of {@code bpf_trace_printk}: one line per call, like {@code /sys/kernel/tracing/trace_pipe}. */
public interface TracePipe {

    /** A line: the program that printed it, the thread's CPU number, the time in ns since boot, and the text. */
    record Line(int programId, int cpu, long timestampNs, String text) {
    }

    /** Takes the lines available now (they leave the pipe). */
    List<Line> drain();

    /** Waits up to {@code timeout} for a line; {@code null} when none came. */
    Line poll(Duration timeout) throws InterruptedException;

    /** Calls {@code listener} for every line printed from now on until the returned handle is closed. */
    AutoCloseable subscribe(Consumer<Line> listener);
}
