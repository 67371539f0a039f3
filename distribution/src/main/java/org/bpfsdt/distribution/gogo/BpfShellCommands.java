package org.bpfsdt.distribution.gogo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.distribution.cli.BpfSdtCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code bpf:} commands of the Gogo shell: each function runs the command line's subcommand
 * of the same name on the runtime from the service registry, so {@code bpf:run FILE --mem HEX}
 * takes the options of {@code bpfsdt run} and prints what it prints. A new command line
 * subcommand appears here with one more function and one more {@code osgi.command.function}.
 * A function returns nothing when its command succeeds (so the shell prints nothing more) and the
 * command's exit code when it fails.
 */
@Component(service = BpfShellCommands.class, property = {
        "osgi.command.scope=bpf",
        "osgi.command.function=run",
        "osgi.command.function=prog",
        "osgi.command.function=obj",
        "osgi.command.function=trace",
        "osgi.command.function=sdt",
        "osgi.command.function=engines"})
public final class BpfShellCommands {
    private final BpfRuntime runtime;

    @Activate
    public BpfShellCommands(@Reference(name = "runtime") BpfRuntime runtime) {
        this.runtime = runtime;
    }

    /** {@code bpf:run FILE [--mem HEX] [--engine NAME] ...}: see {@code bpf:run --help}. */
    public Integer run(String... args) {
        return execute("run", args);
    }

    /** {@code bpf:prog load OBJ}, {@code bpf:prog run OBJ --prog NAME --data-in FILE ...}, {@code bpf:prog dump xlated|jited OBJ}: see {@code bpf:prog --help}. */
    public Integer prog(String... args) {
        return execute("prog", args);
    }

    /** {@code bpf:obj show OBJ}: an object's programs, maps, BTF and SDT notes. */
    public Integer obj(String... args) {
        return execute("obj", args);
    }

    /** {@code bpf:trace [--follow]}: the runtime's trace pipe. */
    public Integer trace(String... args) {
        return execute("trace", args);
    }

    /** {@code bpf:engines}: the engines the runtime can run programs on now. */
    public Integer engines(String... args) {
        return execute("engines", args);
    }

    /** {@code bpf:sdt list OBJ} and {@code bpf:sdt trace TARGET.o ...}: see {@code bpf:sdt --help}. */
    public Integer sdt(String... args) {
        return execute("sdt", args);
    }

    private Integer execute(String command, String[] args) {
        List<String> line = new ArrayList<>(args.length + 1);
        line.add(command);
        line.addAll(List.of(args));
        // System.out is the calling session's stream here: Gogo redirects it per command thread
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int exit = BpfSdtCommand.commandLine(() -> runtime, out, err).execute(line.toArray(String[]::new));
        out.flush();
        err.flush();
        return exit == 0 ? null : exit;
    }
}
