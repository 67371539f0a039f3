package org.bpfsdt.core.engine;

import java.util.function.Consumer;

import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.ProgramRunner;

/**
 * A loaded program's place in engine resolution: its code, the engine it is pinned to (if any),
 * and the executable that runs it now. Runs read {@link #current()} once per run (one volatile
 * read); {@link Engines} swaps it when JIT services come and go.
 */
public final class ProgramEngine implements ProgramRunner {
    private final ProgramCode code;
    private final String pinned;
    private final Consumer<Executable> onSwap;
    private volatile Executable current;

    ProgramEngine(ProgramCode code, String pinned, Consumer<Executable> onSwap) {
        this.code = code;
        this.pinned = pinned;
        this.onSwap = onSwap;
    }

    public ProgramCode code() {
        return code;
    }

    /** The engine the program was loaded onto by name, or {@code null} when resolution picks it. */
    public String pinned() {
        return pinned;
    }

    public Executable current() {
        return current;
    }

    /** Runs the program once on its current engine. */
    @Override
    public long run(ExecState state, long ctx) {
        return current.run(state, ctx);
    }

    /** Makes {@code next} the executable; {@code onSwap} prepares it (descriptor, SDT attachments) before any run can enter it. */
    void install(Executable next) {
        onSwap.accept(next);
        current = next;
    }
}
