package org.bpfsdt.api.spi;

/**
 * The verifier service: decides whether a program is safe to run with no further checks, and
 * rewrites it for the engines. The runtime refuses to load programs when none is present.
 */
public interface Verifier {
    /**
     * Verifies {@code request}; throws {@link org.bpfsdt.api.BpfException} ({@code EACCES},
     * {@code EINVAL}, {@code E2BIG}...) carrying the log when the program is rejected.
     */
    VerifierResult verify(VerifierRequest request);
}
