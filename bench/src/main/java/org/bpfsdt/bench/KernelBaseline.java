package org.bpfsdt.bench;

import java.util.Arrays;

import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.oracle.KernelBpf;
import org.bpfsdt.oracle.KernelObject;

/**
 * The kernel's own per-run time for a yardstick program: {@code BPF_PROG_TEST_RUN} with the
 * benchmark's repeat count, the kernel's reported mean duration per run, median of
 * {@value #SAMPLES} test runs (each switches the XDP dispatcher, so a JMH loop around them would
 * time that instead).
 */
final class KernelBaseline {
    static final int SAMPLES = 101;

    private KernelBaseline() {
    }

    /** Nanoseconds per run of {@code y} in the kernel (its JIT) in batches of {@code repeat}; NaN when it cannot be measured here. */
    static double perRun(Yardstick y, int repeat) {
        if (!KernelBpf.availability().available()) {
            return Double.NaN;
        }
        try (KernelObject k = KernelObject.load(ObjectFile.open(y.objectBytes(), y.object))) {
            byte[] input = y.inputBytes();
            k.run(y.program, input, null, repeat);
            double[] runs = new double[SAMPLES];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = k.run(y.program, input, null, repeat).durationNs();
            }
            Arrays.sort(runs);
            return runs[SAMPLES / 2];
        }
    }
}
