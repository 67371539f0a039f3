package org.bpfsdt.api.spi;

/**
 * A JIT back end for one architecture, registered as a service with the properties
 * {@link #PROP_ARCH}, {@link #PROP_SDT_PROBE} and {@code service.ranking}. The runtime picks,
 * per program, the service for the host architecture with the highest ranking that supports
 * what the program needs, and falls back to the interpreter when none fits.
 */
public interface JitCompiler {
    String PROP_ARCH = "bpf.jit.arch";
    String PROP_SDT_PROBE = "bpf.jit.sdt.probe";

    /** {@code x86_64}, {@code arm64} or {@code riscv64}: the name the runtime and users select it by. */
    String architecture();

    /** Whether programs compiled here get patchable SDT probe sites; false unless the back end says otherwise (the seed's weak {@code bpf_jit_supports_sdt_probe}). */
    default boolean supportsSdtProbes() {
        return false;
    }

    /** Whether this back end's code can run in this process (its architecture is the host's). */
    boolean runsOnHost();

    /**
     * Compiles a verified program. Throws {@link org.bpfsdt.api.BpfException} ({@code ENOTSUPP})
     * for an instruction it cannot compile, so the runtime can fall back to another engine.
     */
    JitImage compile(JitRequest request);

    /**
     * Builds a trampoline for an SDT probe site: saves what the site must preserve, stores the
     * arguments as u64s (extended per {@code model}), calls each observer entry in order with a
     * pointer to them, restores and returns. {@code ENOTSUPP} unless {@link #supportsSdtProbes()}.
     */
    default Trampoline createTrampoline(FuncModel model, long[] observerEntries) {
        throw new org.bpfsdt.api.BpfException(org.bpfsdt.api.Errno.ENOTSUPP, architecture() + " JIT does not support SDT probes");
    }
}
