package org.bpfsdt.distribution.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfsdt.api.TracePipe;
import org.junit.jupiter.api.Test;

/** {@code bpfsdt trace}: the trace pipe's lines in the kernel's layout, taken from the pipe. */
class TraceCommandTest {

    @Test
    void printsAndTakesTheLinesLikeTheKernelsTracePipe() {
        try (Cli cli = new Cli()) {
            cli.runtime.tracePipeBuffer().print(new TracePipe.Line(7, 1, 4_386_840_298_123L, "helpers_misc len=64"));
            Cli.Result r = cli.run("trace");
            assertEquals(0, r.exit(), r.err());
            assertEquals("prog 7 [001] 4386.840298: bpf_trace_printk: helpers_misc len=64\n", r.out());
            assertEquals("", cli.run("trace").out(), "read lines leave the pipe");
        }
    }

    @Test
    void followWaitsForLinesUntilTheTimeout() throws Exception {
        try (Cli cli = new Cli()) {
            Thread printer = Thread.ofPlatform().start(() -> cli.runtime.tracePipeBuffer().print(new TracePipe.Line(1, 0, 5, "late")));
            Cli.Result r = cli.run("trace", "--follow", "--timeout", "0.5");
            printer.join();
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().endsWith("bpf_trace_printk: late\n"), r.out());
        }
    }
}
