package org.bpfsdt.distribution.cli.prog;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.ProgramInfo;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectProgram;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bpfsdt prog load OBJ}: loads every program of an object through the runtime, the
 * verifier included ({@code bpftool prog loadall}), and reports what each became; a program the
 * verifier refuses fails the command with the verifier's log.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Loads every program of a BPF object (and its maps) through the runtime, the verifier included, then unloads them.",
            "Prints for each program its id, type, engine, instructions as loaded and as rewritten by the verifier (xlated), "
                    + "and the verifier's 'processed N insns' line; with --log-level also the verifier's log.",
            "When the verifier refuses a program, prints the errno, the reason and the verifier's log, and exits with 1.",
            "SDT observers (SEC(\"bpf_sdt\")) load against a target's probe: 'bpfsdt sdt trace' loads them."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every program was accepted", "1:a program was refused (the verifier's log follows) or the object did not load",
            "2:bad command line"})
final class ProgLoadCommand implements Callable<Integer> {
    @ParentCommand
    private ProgCommand parent;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ObjectOptions options;

    @Option(names = "--log-level", paramLabel = "1|2",
            description = "print the verifier's log of every program: 1 the failing path (as the kernel, a verified program keeps "
                    + "only its statistics), 2 every instruction with its register state and C source line "
                    + "(a refusal prints the log at level 1 without this)")
    private int logLevel;

    @Override
    public Integer call() {
        if (logLevel < 0 || logLevel > 2) {
            throw new ParameterException(spec.commandLine(), "--log-level is 1 or 2, not " + logLevel);
        }
        PrintWriter out = spec.commandLine().getOut();
        ObjectFile obj = options.open();
        // level 1 at least: a refusal comes with its log, and an acceptance with its statistics line
        obj.programs().forEach(p -> p.setLogLevel(Math.max(1, logLevel)));
        List<ObjectProgram> observers = obj.programs().stream().filter(ObjectOptions::isObserver).toList();
        try (LoadedObject loaded = obj.load(parent.runtime())) {
            for (ObjectProgram p : obj.programs()) {
                if (p.autoload()) {
                    print(out, p.name(), loaded.program(p.name()));
                }
            }
        }
        for (ObjectProgram p : observers) {
            out.println(p.name() + "  not loaded: an SDT observer loads against a target's probe "
                    + "(bpfsdt sdt trace TARGET.o --prog NAME --observe PROBE=" + obj.fileName() + ":" + p.name() + ")");
        }
        out.flush();
        return 0;
    }

    private void print(PrintWriter out, String name, BpfProgram p) {
        ProgramInfo info = p.info();
        out.printf("%s  id %d  type %s  engine %s%s  insns %d loaded, %d xlated%n", name, info.id(), info.type(), info.engine(),
                info.jitedBytes() > 0 ? " (" + info.jitedBytes() + " bytes of native code)" : "", info.insnCount(), info.xlatedCount());
        String log = p.verifierLog().stripTrailing();
        if (logLevel > 0) {
            out.println(log.indent(2).stripTrailing());
        } else {
            out.println("  " + log.lines().filter(l -> l.startsWith("processed ")).reduce((a, b) -> b)
                    .orElse("processed " + info.verifiedInsns() + " insns"));
        }
    }
}
