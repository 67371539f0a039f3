package org.bpfsdt.core.interp;

import java.util.List;

import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.api.spi.Trampoline;
import org.bpfsdt.core.exec.NativeMemory;

/**
 * The interpreter's trampoline for one SDT probe: at the site it stores the arguments as u64s,
 * extended as the probe's declared types say, in the thread's argument area and runs each
 * observer in order with a pointer to them (their context), whatever engine runs each. The
 * observers' return values are ignored; the target's registers are untouched.
 */
public final class ProbeDispatch implements Trampoline {
    private final FuncModel model;
    private final int[] regs;
    private final ProgramRunner[] observers;

    public ProbeDispatch(FuncModel model, List<? extends ProgramRunner> observers) {
        this.model = model;
        this.regs = model.argRegs();
        this.observers = observers.toArray(new ProgramRunner[0]);
    }

    /** Called by the interpreter at the site with the running frame's registers. */
    void fire(ExecState st, long[] r) {
        long args = st.probeArgs();
        for (int i = 0; i < regs.length; i++) {
            NativeMemory.put64(args + 8L * i, model.argValue(i, r[regs[i]]));
        }
        for (ProgramRunner o : observers) {
            o.run(st, args);
        }
    }

    /** Interpreted sites have no native code to call. */
    @Override
    public long address() {
        return 0;
    }

    @Override
    public void close() {
    }
}
