package org.bpfsdt.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.oracle.KernelBpf;
import org.bpfsdt.verifier.BpfVerifier;
import org.bpfsdt.verifier.Corpus;
import org.bpfsdt.verifier.KernelProgram;
import org.bpfsdt.verifier.ObjectRequests;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Verification time, side by side with the kernel's {@code BPF_PROG_LOAD} of the same program
 * (verification plus the kernel's JIT, the only way to time the kernel's verifier from user
 * space), for every yardstick of {@code shared/bench/progs} and the corpus programs that take
 * the verifier longest. Run with {@code bench/verifier}; the kernel side needs root on Linux and
 * reports nothing elsewhere.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class VerifierBench {
    /** {@code object:program} of shared/bench/progs, or {@code corpus:name}. */
    @Param({"xdp_parse:xdp_parse", "xdp_fnv:xdp_fnv", "compute_primes:compute_primes", "array_counter:array_counter",
            "hash_flow:hash_flow", "sdt_like:sdt_like", "corpus:nested_loops", "corpus:loop_over_packet", "corpus:counted_loop",
            "corpus:pruning_independent_branches", "corpus:call_in_loop_bounded"})
    public String program;

    private final BpfVerifier verifier = new BpfVerifier();
    private VerifierRequest request;
    private KernelProgram kernel;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = program.split(":");
        if (p[0].equals("corpus")) {
            Corpus c = Corpus.all().stream().filter(x -> x.name().equals(p[1])).findFirst().orElseThrow();
            request = c.request(0);
        } else {
            ObjectFile obj = ObjectFile.open(Yardstick.progs().resolve(p[0] + ".o"));
            request = ObjectRequests.of(obj, obj.program(p[1]), 0);
        }
        if (KernelBpf.availability().available()) {
            kernel = new KernelProgram(request.type(), request.attachType(), request.insns(), request.maps());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (kernel != null) {
            kernel.close();
        }
    }

    /** bpf-sdt's verifier, rewrites included. */
    @Benchmark
    public VerifierResult bpfsdt() {
        return verifier.verify(request);
    }

    /** The kernel's BPF_PROG_LOAD of the same program (0 when the syscall is unavailable). */
    @Benchmark
    public int kernel() {
        if (kernel == null) {
            return 0;
        }
        kernel.load();
        return 1;
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        Collection<RunResult> results = new Runner(new OptionsBuilder().parent(cli).include(VerifierBench.class.getSimpleName()).build()).run();
        Map<String, double[]> table = new LinkedHashMap<>();
        for (RunResult r : results) {
            String prog = r.getParams().getParam("program");
            double[] row = table.computeIfAbsent(prog, k -> new double[2]);
            row[r.getParams().getBenchmark().endsWith("bpfsdt") ? 0 : 1] = r.getPrimaryResult().getScore();
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-40s %14s %14s %8s", "program", "bpf-sdt (us)", "kernel (us)", "ratio"));
        table.forEach((prog, row) -> lines.add(String.format("%-40s %14.1f %14s %8s", prog, row[0],
                row[1] > 0 ? String.format("%.1f", row[1]) : "n/a", row[1] > 0 ? String.format("%.2f", row[0] / row[1]) : "")));
        System.out.println();
        lines.forEach(System.out::println);
    }
}
