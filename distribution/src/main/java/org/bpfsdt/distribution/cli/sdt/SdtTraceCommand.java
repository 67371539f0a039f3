package org.bpfsdt.distribution.cli.sdt;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfLink;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.loader.GlobalVariable;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectProgram;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bpfsdt sdt trace}: loads a target object, loads each observer against its probe (an
 * SDT observer load, as the kernel RFC's), attaches them, runs the target program on a packet,
 * and prints what the observers left: their objects' global variables and their
 * {@code bpf_trace_printk} lines.
 */
@Command(name = "trace",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Runs a target program with SDT observers attached to its probes, then prints each observer object's "
                + "global variables (name = value; decimal, signed where the type is) and the trace_printk output, "
                + "and the engine of the target and of each observer.",
            "Example: bpfsdt sdt trace sdt_read_args.o --prog read_args --data-in pkt.bin "
                    + "--observe probe_len_ret=sdt_read_args_obs.o:obs_read_args"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ran", "1:a load, attach or run failed (the errno name and the reason are printed)", "2:bad command line"})
final class SdtTraceCommand implements Callable<Integer> {
    @ParentCommand
    private SdtCommand parent;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "TARGET.o", description = "the object of the target program")
    private Path target;

    @Option(names = "--prog", paramLabel = "NAME", required = true, description = "the target program")
    private String program;

    @Option(names = "--data-in", paramLabel = "FILE", description = "the packet to run the target on (XDP, TC, socket filters)")
    private Path dataIn;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1", description = "runs of the target (default: ${DEFAULT-VALUE})")
    private int repeat;

    @Option(names = "--engine", paramLabel = "E", description = "the engine for the target and the observers (default: the runtime's choice)")
    private String engine;

    @Option(names = "--observe", paramLabel = "PROBE=OBSERVER.o:PROG", required = true, converter = Observe.Parser.class,
            description = "attach program PROG of OBSERVER.o to probe PROBE of the target (repeatable)")
    private List<Observe> observes;

    /** One {@code --observe}: a probe and the observer program to attach to it. */
    record Observe(String probe, Path object, String program) {
        static final class Parser implements ITypeConverter<Observe> {
            @Override
            public Observe convert(String value) {
                int eq = value.indexOf('=');
                int colon = value.lastIndexOf(':');
                if (eq <= 0 || colon <= eq + 1 || colon == value.length() - 1) {
                    throw new IllegalArgumentException("'" + value + "' is not PROBE=OBSERVER.o:PROG");
                }
                return new Observe(value.substring(0, eq), Path.of(value.substring(eq + 1, colon)), value.substring(colon + 1));
            }
        }
    }

    @Override
    public Integer call() throws IOException {
        BpfRuntime rt = parent.runtime();
        PrintWriter out = spec.commandLine().getOut();
        byte[] data = dataIn == null ? null : Files.readAllBytes(dataIn);
        ObjectFile targetObj = ObjectFile.open(target);
        targetObj.program(program);
        configureEngine(targetObj);
        Map<Path, List<Observe>> byObject = new LinkedHashMap<>();
        observes.forEach(o -> byObject.computeIfAbsent(o.object(), k -> new ArrayList<>()).add(o));
        rt.tracePipe().drain();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            LoadedObject loadedTarget = track(opened, targetObj.load(rt));
            BpfProgram targetProg = loadedTarget.program(program);
            List<LoadedObject> observers = new ArrayList<>();
            for (Map.Entry<Path, List<Observe>> e : byObject.entrySet()) {
                LoadedObject lo = track(opened, loadObserver(rt, e.getKey(), e.getValue(), targetProg));
                observers.add(lo);
                for (Observe o : e.getValue()) {
                    BpfProgram observer = lo.program(o.program());
                    BpfLink link = track(opened, rt.linkCreate(LinkSpec.of(observer, AttachType.TRACE_SDT)));
                    out.printf("%s -> %s:%s (link %d), observer on %s%n", o.probe(), lo.object().fileName(), o.program(), link.id(),
                            observer.engine());
                }
            }
            TestRunResult r = targetProg.testRun(new TestRunSpec(data, null, Math.max(1, repeat), 0));
            out.printf("%s: retval %d, %d run%s on %s%n", program, r.retval(), Math.max(1, repeat), repeat > 1 ? "s" : "", r.engine());
            for (LoadedObject lo : observers) {
                out.println(lo.object().fileName() + ":");
                for (GlobalVariable g : lo.globals()) {
                    // the variables a skeleton shows: not the compiler's statics (bpf_printk formats)
                    if (g.isGlobal()) {
                        out.println(g);
                    }
                }
            }
            List<TracePipe.Line> lines = rt.tracePipe().drain();
            if (!lines.isEmpty()) {
                out.println("trace_printk:");
                lines.forEach(l -> out.println(l.text()));
            }
        } finally {
            closeAll(opened);
        }
        out.flush();
        return 0;
    }

    private void configureEngine(ObjectFile obj) {
        if (engine != null) {
            obj.programs().forEach(p -> p.setEngine(engine));
        }
    }

    /** The observer object with the programs asked for loaded against their probes of {@code target}, the others left out. */
    private LoadedObject loadObserver(BpfRuntime rt, Path file, List<Observe> wanted, BpfProgram target) {
        ObjectFile obj = ObjectFile.open(file);
        configureEngine(obj);
        for (ObjectProgram p : obj.programs()) {
            p.setAutoload(false);
        }
        for (Observe o : wanted) {
            ObjectProgram p = obj.program(o.program());
            if (p.attachType() != AttachType.TRACE_SDT) {
                throw new BpfException(Errno.EINVAL, obj.fileName() + ": program '" + p.name() + "' (section " + p.section()
                        + ") is not an SDT observer: put it in SEC(\"bpf_sdt\")");
            }
            p.setAutoload(true).setAttachTarget(target, o.probe());
        }
        return obj.load(rt);
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> opened, T o) {
        opened.add(o);
        return o;
    }

    private static void closeAll(List<AutoCloseable> opened) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                // closing what a failed trace opened: the first failure is the one reported
            }
        }
    }
}
