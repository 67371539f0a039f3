package org.bpfsdt.distribution.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;

import org.bpfsdt.api.RawRunResult;
import org.bpfsdt.api.isa.ObjdumpFormatter;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bpfsdt run FILE}: runs a bare program (no ELF, no maps) on the runtime's unverified raw
 * entry point, as the conformance suite does, and prints r0 and the engine that ran it.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs a bare BPF program and prints r0 and the engine that ran it.",
            "FILE is assembly in the conformance syntax (mov %%r0, 42), raw 8-byte instruction slots, "
                    + "64-bit hex instruction words, or a conformance .data file (whose memory and expected "
                    + "result apply; the exit code says whether the result matched).",
            "r1 holds the address of the memory (0 when there is none), r2 its length, r10 the top of a 512-byte stack.",
            "The program is NOT verified: run only programs you trust."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ran (and matched the expected result, if the file states one)",
            "1:failed, or r0 differed from the expected result",
            "2:bad command line"})
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    private BpfSdtCommand parent;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "the program")
    private Path file;

    @Option(names = "--mem", paramLabel = "HEX",
            description = "the program's memory as hex bytes, e.g. 'aa bb 11' (replaces a .data file's memory)")
    private String mem;

    @Option(names = "--engine", paramLabel = "NAME", defaultValue = "interpreter",
            description = "the engine to run on (see 'bpfsdt engines'; default: ${DEFAULT-VALUE})")
    private String engine;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "how FILE is written: ${COMPLETION-CANDIDATES} (default: from its extension, else its content)")
    private InputFormat format;

    @Option(names = {"-d", "--disassemble"}, description = "print the program (llvm-objdump style) before running it")
    private boolean disassemble;

    @Option(names = "--show-mem", description = "print the memory after the run")
    private boolean showMem;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ProgramInput input = ProgramReader.read(file, format);
        byte[] memory = mem != null ? HexText.bytes(mem) : input.memory();
        if (disassemble) {
            out.print(ObjdumpFormatter.format(input.insns()));
        }
        RawRunResult result = parent.runtime().runUnverified(input.insns(), memory, input.options(engine));
        out.println("r0 = " + describe(result.r0()));
        out.println("engine: " + result.engine());
        if (showMem) {
            out.println("mem = " + HexFormat.ofDelimiter(" ").formatHex(result.memAfter()));
        }
        int exit = 0;
        if (input.expected().isPresent()) {
            long expected = input.expected().getAsLong();
            boolean match = expected == result.r0();
            out.println("expected " + describe(expected) + ": " + (match ? "match" : "MISMATCH"));
            exit = match ? 0 : ErrorReporter.FAILED;
        }
        out.flush();
        return exit;
    }

    /** r0 as hex and as a signed number, the way return codes are read. */
    static String describe(long value) {
        return "0x" + Long.toHexString(value) + " (" + value + ")";
    }
}
