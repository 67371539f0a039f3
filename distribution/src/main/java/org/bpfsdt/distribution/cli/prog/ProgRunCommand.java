package org.bpfsdt.distribution.cli.prog;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.distribution.cli.TraceCommand;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bpfsdt prog run OBJ --prog NAME --data-in FILE}: loads an object (its maps and every
 * program, verified) and runs one program as {@code BPF_PROG_TEST_RUN} does, then prints the
 * return value, the time per run, the engine, what changed in the packet and context, the trace
 * output if asked, and the maps.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Loads a BPF object and runs one of its programs as BPF_PROG_TEST_RUN does.",
            "Prints 'retval N' (the low 32 bits of r0, as the kernel reports it), the mean time per run, the engine that ran it, "
                    + "the packet and context out when they changed, and the object's maps after the run "
                    + "(queues, stacks and ring buffers are emptied to show them)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ran", "1:the object did not load (the verifier's log follows) or the run failed", "2:bad command line"})
final class ProgRunCommand implements Callable<Integer> {
    @ParentCommand
    private ProgCommand parent;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ObjectOptions options;

    @Option(names = "--prog", paramLabel = "NAME", description = "the program to run (default: the object's only program)")
    private String program;

    @Option(names = "--data-in", paramLabel = "FILE", description = "the packet (XDP, TC, socket filters)")
    private Path dataIn;

    @Option(names = "--ctx-in", paramLabel = "FILE", description = "the context as the program sees it (struct xdp_md, struct __sk_buff, u64 arguments)")
    private Path ctxIn;

    @Option(names = "--data-out", paramLabel = "FILE", description = "write the packet after the run to FILE")
    private Path dataOut;

    @Option(names = "--ctx-out", paramLabel = "FILE", description = "write the context after the run to FILE")
    private Path ctxOut;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1", description = "runs to time (default: ${DEFAULT-VALUE})")
    private int repeat;

    @Option(names = "--trace", description = "print what bpf_trace_printk wrote during the run")
    private boolean trace;

    @Option(names = "--no-maps", description = "do not print the maps")
    private boolean noMaps;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ObjectFile obj = options.open();
        String name = ObjectOptions.program(obj, program).name();
        byte[] data = dataIn == null ? null : Files.readAllBytes(dataIn);
        byte[] ctx = ctxIn == null ? null : Files.readAllBytes(ctxIn);
        TracePipe pipe = parent.runtime().tracePipe();
        try (LoadedObject loaded = obj.load(parent.runtime())) {
            BpfProgram p = loaded.program(name);
            pipe.drain();
            TestRunResult r = p.testRun(new TestRunSpec(data, ctx, repeat, 0));
            List<TracePipe.Line> lines = pipe.drain();
            out.println("retval " + r.retval());
            out.println("duration " + r.durationNs() + " ns per run (" + Math.max(1, repeat) + (repeat > 1 ? " runs)" : " run)"));
            out.println("engine " + r.engine());
            output(out, "data out", data, r.dataOut(), dataOut);
            output(out, "ctx out", ctx, r.ctxOut(), ctxOut);
            if (trace) {
                lines.forEach(l -> out.println(TraceCommand.format(l)));
            }
            if (!noMaps) {
                MapDump.print(loaded, out);
            }
        }
        out.flush();
        return 0;
    }

    /** Writes {@code after} to {@code file} when given, else prints it when it differs from {@code before}. */
    private static void output(PrintWriter out, String what, byte[] before, byte[] after, Path file) throws IOException {
        if (file != null) {
            Files.write(file, after);
            out.println(what + " " + after.length + " bytes written to " + file);
        } else if (after.length > 0 && !Arrays.equals(before, after)) {
            out.println(what + " (" + after.length + " bytes):");
            HexFormat hex = HexFormat.ofDelimiter(" ");
            for (int off = 0; off < after.length; off += 16) {
                out.printf("  %04x  %s%n", off, hex.formatHex(after, off, Math.min(after.length, off + 16)));
            }
        }
    }
}
