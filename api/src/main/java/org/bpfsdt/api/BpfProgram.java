package org.bpfsdt.api;

import java.util.List;

import org.bpfsdt.api.isa.Insn;

/** A loaded, verified program. */
public interface BpfProgram extends BpfObject {
    ProgramInfo info();

    ProgramType type();

    String name();

    /** The engine that runs it now; may change when JIT services come and go. */
    String engine();

    /** {@code BPF_PROG_TEST_RUN}. */
    TestRunResult testRun(TestRunSpec spec);

    /** The instructions as they run: after the verifier's rewrites ({@code xlated}). */
    List<Insn> xlatedInsns();

    /** The instructions as loaded. */
    List<Insn> originalInsns();

    /** The verifier's log at the level requested at load time. */
    String verifierLog();

    /** A human listing of the native code beside the BPF instructions, or empty when interpreted. */
    String jitedListing();

    /** A new handle on the same program. */
    BpfProgram dup();
}
