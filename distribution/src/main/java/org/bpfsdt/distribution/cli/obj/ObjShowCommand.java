package org.bpfsdt.distribution.cli.obj;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.bpfsdt.loader.ObjectFile;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bpfsdt obj show OBJ}: what the loader found in an object, loading nothing. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Shows an object's programs (section, type, instructions, subprograms), maps, global variables, "
                + "BTF and SDT probe notes, and what the loader noted; nothing is loaded.")
final class ObjShowCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "OBJ", description = "the object file")
    private Path object;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(ObjectFile.open(object).report());
        out.flush();
        return 0;
    }
}
