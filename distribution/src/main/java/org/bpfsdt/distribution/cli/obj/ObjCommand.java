package org.bpfsdt.distribution.cli.obj;

import org.bpfsdt.distribution.cli.BpfSdtCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code bpfsdt obj}: BPF object files. */
@Command(name = "obj", mixinStandardHelpOptions = true, description = "Inspects BPF object files (ELF, as clang compiles them).",
        subcommands = {ObjShowCommand.class, CommandLine.HelpCommand.class})
public final class ObjCommand {
    @ParentCommand
    BpfSdtCommand parent;
}
