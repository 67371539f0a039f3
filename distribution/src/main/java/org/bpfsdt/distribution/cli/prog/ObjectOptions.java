package org.bpfsdt.distribution.cli.prog;

import java.nio.file.Path;
import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectProgram;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What the {@code prog} commands share: the object file and how its programs load (engine,
 * type, globals set before load). SDT observers are left out: they load against a target's
 * probe, which only {@code bpfsdt sdt trace} gives them.
 */
final class ObjectOptions {
    @Parameters(paramLabel = "OBJ", description = "the BPF object file")
    Path object;

    @Option(names = "--engine", paramLabel = "NAME", description = "the engine to load the programs on (see 'bpfsdt engines'; default: the best for this host)")
    String engine;

    @Option(names = "--type", paramLabel = "TYPE", description = "the type of programs whose section names none (xdp, sched_cls, socket_filter, tracing...)")
    ProgramType type;

    @Option(names = "--set", paramLabel = "VAR=VALUE", description = "set an integer global variable before load (also const volatile ones)")
    List<String> globals = List.of();

    /** The object, opened and configured: every program but the SDT observers will load. */
    ObjectFile open() {
        ObjectFile obj = ObjectFile.open(object);
        for (ObjectProgram p : obj.programs()) {
            if (type != null && p.type() == null) {
                p.setType(type);
            }
            if (engine != null) {
                p.setEngine(engine);
            }
            if (isObserver(p)) {
                p.setAutoload(false);
            }
        }
        for (String g : globals) {
            int eq = g.indexOf('=');
            if (eq <= 0) {
                throw new BpfException(Errno.EINVAL, "--set takes VAR=VALUE, not '" + g + "'");
            }
            try {
                obj.global(g.substring(0, eq).trim()).set(Long.decode(g.substring(eq + 1).trim()));
            } catch (NumberFormatException e) {
                throw new BpfException(Errno.EINVAL, "--set " + g + ": '" + g.substring(eq + 1) + "' is not an integer");
            }
        }
        return obj;
    }

    static boolean isObserver(ObjectProgram p) {
        return p.attachType() == AttachType.TRACE_SDT;
    }

    /** The program {@code name} of {@code obj}, or its only one when {@code name} is null. */
    static ObjectProgram program(ObjectFile obj, String name) {
        ObjectProgram p;
        if (name != null) {
            p = obj.program(name);
        } else {
            List<ObjectProgram> all = obj.programs();
            if (all.size() != 1) {
                throw new BpfException(Errno.EINVAL, obj.fileName() + " has " + all.size() + " programs; name one with --prog ("
                        + String.join(", ", all.stream().map(ObjectProgram::name).toList()) + ")");
            }
            p = all.getFirst();
        }
        if (isObserver(p)) {
            throw new BpfException(Errno.EINVAL, obj.fileName() + ": '" + p.name() + "' is an SDT observer, which loads against a "
                    + "target's probe: run it with 'bpfsdt sdt trace TARGET.o --prog NAME --observe PROBE=" + obj.fileName() + ":" + p.name() + "'");
        }
        return p;
    }
}
