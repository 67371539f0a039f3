package org.bpfsdt.distribution.cli.prog;

import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.distribution.cli.BpfSdtCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code bpfsdt prog}: programs of BPF objects, loaded into the runtime. */
@Command(name = "prog", mixinStandardHelpOptions = true, description = "Loads, runs and dumps the programs of BPF objects.",
        subcommands = {ProgLoadCommand.class, ProgRunCommand.class, ProgDumpCommand.class, CommandLine.HelpCommand.class})
public final class ProgCommand {
    @ParentCommand
    private BpfSdtCommand parent;

    BpfRuntime runtime() {
        return parent.runtime();
    }
}
