package org.bpfsdt.api;

import java.util.List;

import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.ObjdumpFormatter;

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

    /**
     * {@code bpftool prog dump xlated}: the xlated instructions in {@code llvm-objdump} style, with
     * function labels and the C source lines of BTF line_info where the program has them.
     */
    default String xlatedListing() {
        return ObjdumpFormatter.format(xlatedInsns());
    }

    /**
     * {@code bpftool prog dump jited}: the native code as assembly beside the xlated instructions
     * and source lines (see {@code JitImage.listing}), or empty when the interpreter runs it.
     */
    String jitedListing();

    /** A new handle on the same program. */
    BpfProgram dup();
}
