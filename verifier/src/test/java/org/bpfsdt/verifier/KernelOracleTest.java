package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.oracle.KernelBpf;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The running kernel's verifier as the oracle: every corpus program is loaded with
 * {@code BPF_PROG_LOAD} (with equivalent kernel maps, initial values and BTF) and its verdict
 * compared with ours, and for a program both refuse, the errno. A disagreement fails the test
 * unless {@code corpus/known-differences.txt} lists it with its reason. Skipped where the syscall
 * is unavailable; tracing programs, which the kernel here refuses with EPERM before verifying,
 * are not compared.
 */
class KernelOracleTest {
    /** The kernel's verdict on one corpus program: null to accept, its errno to refuse; EPERM when it cannot say. */
    static Errno kernelVerdict(Corpus c) {
        // maps and BTF that the kernel refuses are a broken test, not a verdict
        try (KernelProgram k = c.kernelProgram()) {
            try {
                k.load();
                return null;
            } catch (BpfException e) {
                return e.errno();
            }
        }
    }

    static Errno ourVerdict(Corpus c) {
        try {
            new BpfVerifier().verify(c.request(0));
            return null;
        } catch (BpfException e) {
            return e.errno();
        }
    }

    private static String describe(Errno verdict) {
        return verdict == null ? "accepts" : "rejects (" + verdict + ")";
    }

    @Test
    void corpusAgreesWithTheKernel() {
        KernelBpf.Availability a = KernelBpf.availability();
        Assumptions.assumeTrue(a.available(), a.reason());
        Map<String, String> known = Corpus.knownDifferences();
        int agree = 0, errnoOnly = 0, differKnown = 0, skipped = 0;
        List<String> unexpected = new ArrayList<>();
        List<String> staleKnown = new ArrayList<>();
        for (Corpus c : Corpus.all()) {
            // tracing programs need attach BTF ids of kernel functions here, and root is refused them (EPERM)
            Errno kernel = c.type() == ProgramType.TRACING ? Errno.EPERM : kernelVerdict(c);
            if (kernel == Errno.EPERM) {
                skipped++;
                continue;
            }
            Errno ours = ourVerdict(c);
            String verdicts = "kernel " + describe(kernel) + ", bpf-sdt " + describe(ours);
            if (kernel == ours) {
                agree++;
                if (known.containsKey(c.name())) {
                    staleKnown.add(c + " is listed as a known difference but both agree (" + verdicts + ")");
                }
            } else if (known.containsKey(c.name())) {
                differKnown++;
                errnoOnly += kernel != null && ours != null ? 1 : 0;
            } else {
                unexpected.add(c + ": " + verdicts);
            }
        }
        System.out.printf("kernel oracle: %d agree (verdict and errno), %d known differences (%d of them in the errno only), %d not comparable"
                + " (tracing), of %d corpus programs%n", agree, differKnown, errnoOnly, skipped, Corpus.all().size());
        assertTrue(unexpected.isEmpty(), "disagreements with the kernel not in known-differences.txt:\n" + String.join("\n", unexpected));
        assertTrue(staleKnown.isEmpty(), String.join("\n", staleKnown));
    }
}
