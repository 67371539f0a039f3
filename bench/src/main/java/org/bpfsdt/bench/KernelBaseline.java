package org.bpfsdt.bench;

import java.util.Arrays;

import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.oracle.KernelBpf;
import org.bpfsdt.oracle.KernelObject;

/**
 * The kernel's own per-run time for a yardstick program, as the reference figures of
 * {@code ../shared/bench/README.md} were taken: {@code BPF_PROG_TEST_RUN} with a repeat count
 * large enough for half a second, the kernel's reported mean duration per run, median of five.
 */
final class KernelBaseline {
    private static final long TARGET_NS = 500_000_000L;

    private KernelBaseline() {
    }

    /** Nanoseconds per run of {@code y} in the kernel (its JIT); NaN when it cannot be measured here. */
    static double perRun(Yardstick y) {
        if (!KernelBpf.availability().available()) {
            return Double.NaN;
        }
        try (KernelObject k = KernelObject.load(ObjectFile.open(y.objectBytes(), y.object))) {
            byte[] input = y.inputBytes();
            int probe = k.run(y.program, input, null, 1000).durationNs();
            int repeat = (int) Math.min(Integer.MAX_VALUE, Math.max(1000, TARGET_NS / Math.max(1, probe)));
            double[] runs = new double[5];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = k.run(y.program, input, null, repeat).durationNs();
            }
            Arrays.sort(runs);
            return runs[2];
        }
    }
}
