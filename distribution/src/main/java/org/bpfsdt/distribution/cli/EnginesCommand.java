package org.bpfsdt.distribution.cli;

import java.io.PrintWriter;
import java.util.List;

import org.bpfsdt.api.EngineInfo;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code bpfsdt engines}: the engines the runtime can run programs on now, best first. */
@Command(name = "engines", mixinStandardHelpOptions = true, description = "Lists the execution engines (interpreter and JITs) the runtime has now, best first.")
final class EnginesCommand implements Runnable {
    private static final String ROW = "%-12s %-8s %11s  %-5s %s%n";

    @ParentCommand
    private BpfSdtCommand parent;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        List<EngineInfo> engines = parent.runtime().engines();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(ROW, "NAME", "ARCH", "RANKING", "HOST", "SDT-PROBES");
        for (EngineInfo e : engines) {
            out.printf(ROW, e.name(), e.architecture(), e.ranking(), yesNo(e.hostNative()), yesNo(e.sdtProbes()));
        }
        out.flush();
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
