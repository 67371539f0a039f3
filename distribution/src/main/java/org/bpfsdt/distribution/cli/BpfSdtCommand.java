package org.bpfsdt.distribution.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.distribution.cli.obj.ObjCommand;
import org.bpfsdt.distribution.cli.prog.ProgCommand;
import org.bpfsdt.distribution.cli.sdt.SdtCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bpfsdt}: the bpftool of bpf-sdt. Each subcommand is a class in this package (or a
 * sub-package for a group such as {@code prog} or {@code sdt}); the same command objects serve
 * the plain-JVM tool and the Gogo shell ({@code bpf:<command>}), so a command is written once.
 */
@Command(name = "bpfsdt",
        mixinStandardHelpOptions = true,
        versionProvider = BpfSdtCommand.Version.class,
        description = "Runs and inspects BPF programs on the bpf-sdt runtime.",
        subcommands = {RunCommand.class, ProgCommand.class, ObjCommand.class, TraceCommand.class, SdtCommand.class, EnginesCommand.class,
            OsgiCommand.class, CommandLine.HelpCommand.class})
public final class BpfSdtCommand {
    private final RuntimeSource runtimes;

    private BpfSdtCommand(RuntimeSource runtimes) {
        this.runtimes = runtimes;
    }

    /** The runtime the commands work on, opened when first asked for. */
    public BpfRuntime runtime() {
        return runtimes.runtime();
    }

    /** A command line over {@code runtimes} writing to {@code out} and {@code err}, reporting errors as {@link ErrorReporter} does. */
    public static CommandLine commandLine(RuntimeSource runtimes, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new BpfSdtCommand(runtimes));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExpandAtFiles(false);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(new ErrorReporter());
        return cl;
    }

    /** The product version, from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = BpfSdtCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"bpf-sdt " + p.getProperty("version", "(unknown version)"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
