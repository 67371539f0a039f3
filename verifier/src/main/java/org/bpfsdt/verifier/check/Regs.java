package org.bpfsdt.verifier.check;

import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;

/** Register reads and writes of the current frame, with the kernel's checks (check_reg_arg) and the log's scratch marks. */
final class Regs {
    private final Env env;

    Regs(Env env) {
        this.env = env;
    }

    /** Register {@code r} as a source: it must be initialised. */
    RegState read(int r) {
        RegState reg = env.cur.reg(r);
        env.scratchReg(r);
        if (reg.type == RegType.NOT_INIT) {
            throw VerifyError.access("R%d !read_ok", r);
        }
        return reg;
    }

    /** Register {@code r} as a destination (its old value stays until the caller overwrites it). */
    RegState write(int r) {
        if (r == 10) {
            throw VerifyError.access("frame pointer is read only");
        }
        env.scratchReg(r);
        return env.cur.reg(r);
    }

    /** A call (or a legacy packet load) leaves r0-r5 unreadable until written (the kernel's caller_saved loop). */
    void clobberCallerSaved() {
        for (int r = 0; r <= 5; r++) {
            write(r).markNotInit();
        }
    }

    RegState get(int r) {
        return env.cur.reg(r);
    }
}
