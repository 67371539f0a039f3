package org.bpfsdt.distribution.cli.obj;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bpfsdt obj}: BPF object files. */
@Command(name = "obj", mixinStandardHelpOptions = true, description = "Inspects BPF object files (ELF, as clang compiles them).",
        subcommands = {ObjShowCommand.class, CommandLine.HelpCommand.class})
public final class ObjCommand {
}
