package org.bpfsdt.distribution.cli.prog;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bpfsdt prog dump xlated|jited OBJ --prog NAME}: loads an object and prints one program
 * as it runs, as {@code bpftool prog dump} does: the verifier's rewritten instructions, or the
 * native code compiled from them.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Prints a program of a BPF object as the runtime runs it: its xlated instructions or its native code.",
        subcommands = {ProgDumpCommand.Xlated.class, ProgDumpCommand.Jited.class, CommandLine.HelpCommand.class})
final class ProgDumpCommand {
    @ParentCommand
    private ProgCommand parent;

    /** Loads the object, prints a header naming the program and its engine, then the listing. */
    abstract static class Dump implements Callable<Integer> {
        @ParentCommand
        private ProgDumpCommand parent;

        @Spec
        private CommandSpec spec;

        @Mixin
        private ObjectOptions options;

        @Option(names = "--prog", paramLabel = "NAME", description = "the program (default: the object's only program)")
        private String program;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ObjectFile obj = options.open();
            String name = ObjectOptions.program(obj, program).name();
            try (LoadedObject loaded = obj.load(parent.parent.runtime())) {
                BpfProgram p = loaded.program(name);
                String engine = p.engine();
                out.printf("; %s: program %d (%s), %d instructions xlated, runs on %s%n", name, p.id(), p.type(), p.xlatedInsns().size(),
                        EngineInfo.INTERPRETER.equals(engine) ? "the interpreter" : "the " + engine + " JIT");
                print(out, p);
            }
            out.flush();
            return 0;
        }

        abstract void print(PrintWriter out, BpfProgram p);
    }

    @Command(name = "xlated", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Prints a program's instructions as the verifier rewrote them (xlated) in llvm-objdump style, "
                    + "with function labels and the C source lines of its BTF line_info."})
    static final class Xlated extends Dump {
        @Override
        void print(PrintWriter out, BpfProgram p) {
            out.print(p.xlatedListing());
        }
    }

    @Command(name = "jited", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Prints a program's native code as assembly beside the xlated BPF instructions it was compiled from "
                    + "and their C source lines.",
                "The code is disassembled by llvm-objdump (llvm-objdump-19 or llvm-objdump on the PATH; the JVM property "
                        + "-Dbpfsdt.objdump=PATH names another, 'none' shows bytes); without it the code is shown as bytes.",
                "A program the interpreter runs has no native code: --engine x86_64 compiles it."})
    static final class Jited extends Dump {
        @Override
        void print(PrintWriter out, BpfProgram p) {
            String listing = p.jitedListing();
            out.print(listing.isEmpty() ? "; no native code: the interpreter runs it\n" : listing);
        }
    }
}
