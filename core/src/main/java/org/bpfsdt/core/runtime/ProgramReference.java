package org.bpfsdt.core.runtime;

import java.util.concurrent.atomic.AtomicBoolean;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.spi.ProgramRef;

/** A counted reference to a program for maps (PROG_ARRAY slots) and links; closing releases it once. */
final class ProgramReference implements ProgramRef {
    private final LoadedProgram program;
    private final AtomicBoolean open = new AtomicBoolean(true);

    /** Takes over a reference already acquired on {@code program}. */
    ProgramReference(LoadedProgram program) {
        this.program = program;
    }

    @Override
    public int id() {
        return program.id;
    }

    @Override
    public ProgramType type() {
        return program.type;
    }

    @Override
    public long descriptor() {
        return program.descriptor;
    }

    @Override
    public long run(long ctx) {
        return program.run(ctx);
    }

    @Override
    public Subscription onEngineChange(Runnable listener) {
        return program.onEngineChange(listener);
    }

    /** The program referred to. */
    LoadedProgram program() {
        return program;
    }

    /** The program behind {@code ref}, a reference a link provider got from {@code runtime}; {@code EBADF} for any other. */
    static LoadedProgram of(ProgramRef ref, CoreRuntime runtime) {
        if (!(ref instanceof ProgramReference r) || r.program.runtime != runtime) {
            throw new BpfException(Errno.EBADF, ref + " is not a program of this runtime");
        }
        return r.program;
    }

    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            program.release();
        }
    }

    @Override
    public String toString() {
        return "reference to " + program;
    }
}
