package org.bpfsdt.core.runtime;

import java.util.List;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.ProgramInfo;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.isa.Insn;

/** A handle on a loaded program. */
final class ProgramHandle extends Handle<LoadedProgram> implements BpfProgram {

    ProgramHandle(LoadedProgram program) {
        super(program);
    }

    @Override
    public ProgramInfo info() {
        return live().info();
    }

    @Override
    public ProgramType type() {
        return object.type;
    }

    @Override
    public String name() {
        return object.name;
    }

    @Override
    public String engine() {
        return object.engine().current().engineName();
    }

    @Override
    public TestRunResult testRun(TestRunSpec spec) {
        LoadedProgram p = live();
        return p.runtime.testRun(p, spec);
    }

    @Override
    public List<Insn> xlatedInsns() {
        return object.verified.insns();
    }

    @Override
    public List<Insn> originalInsns() {
        return object.original;
    }

    @Override
    public String verifierLog() {
        return object.verified.log();
    }

    @Override
    public String xlatedListing() {
        return live().xlatedListing();
    }

    @Override
    public String jitedListing() {
        return live().jitedListing();
    }

    @Override
    public BpfProgram dup() {
        return new ProgramHandle(acquire());
    }
}
