package org.bpfsdt.core.context;

import java.lang.foreign.Arena;
import java.util.Set;

import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunSpec;

/**
 * Builds the native context of a test run for some program types ({@code struct xdp_buff},
 * socket buffers, tracing arguments; see {@link org.bpfsdt.api.spi.ContextLayouts}) from
 * {@code data_in} and {@code ctx_in} with the kernel's rules, and reads back what the program
 * changed. The runtime runs the program on it.
 */
public interface ContextBuilder {
    Set<ProgramType> types();

    /** The context for one test run, allocated in {@code arena}; throws what the kernel's test run returns for input it refuses. */
    TestContext prepare(ProgramType type, TestRunSpec spec, Arena arena);

    /** A prepared context. */
    interface TestContext {
        /** The address passed in r1. */
        long address();

        /** The packet after the run (empty when the type has none). */
        byte[] dataOut();

        /** The context as the program sees it after the run (empty when the caller gave none). */
        byte[] ctxOut();
    }
}
