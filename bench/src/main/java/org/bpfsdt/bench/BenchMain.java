package org.bpfsdt.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.oracle.KernelBpf;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code bench/run [SUITE] [JMH options]}: runs one suite, or all, and prints its table with the
 * baselines measured in the same run. Suites: {@code interpreter} ({@link InterpreterBench}),
 * {@code objects} ({@link ObjectLoadBench}), {@code maps} ({@link MapBench}), {@code programs}
 * ({@link ProgramRunBench} on every engine of this host, then {@link JitCompileBench}), {@code sdt}
 * ({@link SdtBench}), and {@code all}: every suite but {@code interpreter}. The kernel baselines
 * run where the {@code bpf()} syscall works and are left out otherwise.
 */
public final class BenchMain {
    private BenchMain() {
    }

    private static final List<String> SUITES = List.of("interpreter", "objects", "maps", "programs", "sdt", "all");

    public static void main(String[] args) throws Exception {
        String suite = args.length > 0 && !args[0].startsWith("-") ? args[0] : "all";
        String[] jmh = args.length > 0 && !args[0].startsWith("-") ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (!SUITES.contains(suite)) {
            System.err.println("bench/run: no suite '" + suite + "'; the suites are " + String.join(", ", SUITES));
            System.exit(2);
        }
        boolean kernel = KernelBpf.availability().available();
        if (!kernel) {
            System.out.println("kernel baselines left out: " + KernelBpf.availability().reason());
        }
        if (suite.equals("interpreter")) {
            InterpreterBench.main(jmh);
            return;
        }
        if (suite.equals("objects") || suite.equals("all")) {
            objects(run(ObjectLoadBench.class, jmh, kernel));
        }
        if (suite.equals("maps") || suite.equals("all")) {
            maps(run(MapBench.class, jmh, kernel));
        }
        if (suite.equals("programs") || suite.equals("all")) {
            programs(run(ProgramRunBench.class, jmh, kernel));
            if (engines(BenchMain::isJit).length > 0) {
                compiles(run(JitCompileBench.class, jmh, kernel));
            }
        }
        if (suite.equals("sdt") || suite.equals("all")) {
            sdt(run(SdtBench.class, jmh, kernel));
        }
    }

    private static Collection<RunResult> run(Class<?> bench, String[] jmh, boolean kernel) throws Exception {
        ChainedOptionsBuilder o = new OptionsBuilder().parent(new CommandLineOptions(jmh)).include(bench.getSimpleName());
        if (!kernel) {
            o.exclude(bench.getSimpleName() + "\\.kernel.*");
        }
        if (bench == ProgramRunBench.class) {
            o.param("engine", engines(e -> true));
        }
        if (bench == JitCompileBench.class) {
            o.param("engine", engines(BenchMain::isJit));
        }
        if (bench == SdtBench.class) {
            o.param("engine", engines(EngineInfo::sdtProbes));
        }
        return new Runner(o.build()).run();
    }

    /** The names of the engines of this host's runtime whose code runs here and that {@code which} accepts. */
    private static String[] engines(Predicate<EngineInfo> which) {
        try (CoreRuntime rt = Yardstick.runtime()) {
            return rt.engines().stream().filter(e -> e.hostNative() && which.test(e)).map(EngineInfo::name).distinct().toArray(String[]::new);
        }
    }

    private static boolean isJit(EngineInfo e) {
        return !e.name().equals(EngineInfo.INTERPRETER);
    }

    /** Scores by parameter value, then by benchmark method. */
    private static Map<String, Map<String, Double>> table(Collection<RunResult> results, String param) {
        Map<String, Map<String, Double>> t = new LinkedHashMap<>();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            String key = r.getParams().getParam(param);
            if (param.equals("program") && r.getParams().getParam("engine") != null && !method.startsWith("kernel")) {
                method = method + ":" + r.getParams().getParam("engine");
            }
            t.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(method, r.getPrimaryResult().getScore());
        }
        return t;
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String num(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }

    private static void objects(Collection<RunResult> results) {
        System.out.printf("%n%-16s %12s %12s %14s %14s%n", "object (us)", "open", "load", "kernel load", "load/kernel");
        table(results, "object").forEach((obj, m) -> System.out.printf("%-16s %12s %12s %14s %14s%n", obj.toLowerCase(Locale.ROOT),
                num(m.get("open")), num(m.get("load")), num(m.get("kernelLoad")), ratio(m.get("load"), m.get("kernelLoad"))));
    }

    private static void maps(Collection<RunResult> results) {
        System.out.printf("%n%-8s %14s %14s %14s %14s %12s %12s%n", "map (ns)", "lookup", "kernel lookup", "update", "kernel update",
                "lookup/k", "update/k");
        table(results, "type").forEach((type, m) -> System.out.printf("%-8s %14s %14s %14s %14s %12s %12s%n", type,
                num(m.get("lookup")), num(m.get("kernelLookup")), num(m.get("update")), num(m.get("kernelUpdate")),
                ratio(m.get("lookup"), m.get("kernelLookup")), ratio(m.get("update"), m.get("kernelUpdate"))));
    }

    /**
     * The SDT table, per engine: the probe's cost while detached (with/without, target at most
     * 1.01), and one attached observer's cost per hit next to a plain BPF-to-BPF call (at most 3x).
     */
    private static void sdt(Collection<RunResult> results) {
        Map<String, Map<String, Double>> byEngine = new LinkedHashMap<>();
        for (RunResult r : results) {
            byEngine.computeIfAbsent(r.getParams().getParam("engine"), k -> new LinkedHashMap<>())
                    .put(r.getParams().getParam("probe"), r.getPrimaryResult().getScore());
        }
        System.out.printf("%n%-12s %10s %10s %10s %10s %10s %10s %10s %10s %10s%n", "ns/run", "no probe", "detached", "detached/",
                "attached", "observer", "no call", "call", "call", "observer/");
        System.out.printf("%-12s %10s %10s %10s %10s %10s %10s %10s %10s %10s%n", "engine", "", "", "no probe", "", "per hit", "", "", "per run",
                "call");
        byEngine.forEach((engine, m) -> {
            Double without = m.get("WITHOUT_PROBE"), detached = m.get("PROBE_DETACHED"), attached = m.get("PROBE_ATTACHED");
            Double noCall = m.get("NO_CALL"), call = m.get("CALL");
            Double observer = attached == null || detached == null ? null : attached - detached;
            Double callCost = call == null || noCall == null ? null : call - noCall;
            System.out.printf("%-12s %10s %10s %10s %10s %10s %10s %10s %10s %10s%n", engine, num(without), num(detached),
                    String.format(Locale.ROOT, "%.3f", detached / without), num(attached), num(observer), num(noCall), num(call),
                    num(callCost), ratio(observer, callCost));
        });
        System.out.println("observer per hit = attached - detached; call per run = sdt_like - sdt_like_noprobe (the Linux JIT: about 1.1 ns)");
    }

    /**
     * Per program: each engine's batch and single-call figures, the kernel's per-run time for
     * batches of the same size, the batch against the kernel and the single call's extra cost.
     */
    private static void programs(Collection<RunResult> results) {
        Map<String, Map<String, Double>> t = table(results, "program");
        t.forEach((prog, m) -> {
            double k = KernelBaseline.perRun(Yardstick.valueOf(prog), ProgramRunBench.REPEAT);
            if (!Double.isNaN(k)) {
                m.put("kernel", k);
            }
        });
        List<String> engines = new ArrayList<>();
        t.values().forEach(m -> m.keySet().stream().filter(k -> k.startsWith("batch:")).map(k -> k.substring(6)).forEach(e -> {
            if (!engines.contains(e)) {
                engines.add(e);
            }
        }));
        StringBuilder head = new StringBuilder(String.format("%n%-18s", "program (ns/run)"));
        engines.forEach(e -> head.append(String.format(" %14s %14s %14s", e + " batch", e + " single", "single in run")));
        head.append(String.format(" %12s", "kernel JIT*"));
        engines.forEach(e -> head.append(String.format(" %12s %14s %14s", e + "/k", "single-batch", "in run-batch")));
        System.out.println(head);
        t.forEach((prog, m) -> {
            StringBuilder row = new StringBuilder(String.format("%-18s", prog.toLowerCase(Locale.ROOT)));
            engines.forEach(e -> row.append(String.format(" %14s %14s %14s", num(m.get("batch:" + e)), num(m.get("single:" + e)),
                    num(m.get("singleInRun:" + e)))));
            row.append(String.format(" %12s", num(m.get("kernel"))));
            engines.forEach(e -> {
                Double batch = m.get("batch:" + e), single = m.get("single:" + e), inRun = m.get("singleInRun:" + e);
                row.append(String.format(" %12s %14s %14s", ratio(batch, m.get("kernel")),
                        batch == null || single == null ? "-" : num(single - batch), batch == null || inRun == null ? "-" : num(inRun - batch)));
            });
            System.out.println(row);
        });
        System.out.println("batch: testRun of " + ProgramRunBench.REPEAT + " runs; single: one call from Java on a prepared context;"
                + " in run: with the grace-period announcement every run of the runtime makes");
        System.out.println("* the kernel's own mean per run (BPF_PROG_TEST_RUN with repeat " + ProgramRunBench.REPEAT
                + ", median of " + KernelBaseline.SAMPLES + "), measured after the JMH runs");
    }

    private static void compiles(Collection<RunResult> results) {
        System.out.printf("%n%-18s %14s%n", "program", "JIT compile (us)");
        for (RunResult r : results) {
            System.out.printf("%-18s %14s  %s%n", r.getParams().getParam("program").toLowerCase(Locale.ROOT),
                    num(r.getPrimaryResult().getScore()), r.getParams().getParam("engine"));
        }
        System.out.println("the runtime's request for the loaded program compiled into executable memory, then freed");
    }
}
