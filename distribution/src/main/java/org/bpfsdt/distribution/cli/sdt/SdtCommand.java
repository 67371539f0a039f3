package org.bpfsdt.distribution.cli.sdt;

import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.distribution.cli.BpfSdtCommand;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code bpfsdt sdt}: BPF SDT probes of objects, and tracing a target program with observers attached to them. */
@Command(name = "sdt",
        mixinStandardHelpOptions = true,
        description = "BPF SDT: lists the static probes of an object, or runs a target program with observers attached.",
        subcommands = {SdtListCommand.class, SdtTraceCommand.class})
public final class SdtCommand {
    @ParentCommand
    private BpfSdtCommand parent;

    BpfRuntime runtime() {
        return parent.runtime();
    }
}
