package org.bpfsdt.verifier.domain;

import java.util.Arrays;

/**
 * One call frame: registers r0..r10 and the frame's stack, as the kernel's
 * {@code struct bpf_func_state}. Stack byte {@code fp-1-i} has type {@code slotType[i]}; the
 * 8-byte slot {@code spi} (bytes {@code fp-8*(spi+1)} .. {@code fp-8*spi-1}) keeps a spilled
 * register's full state in {@code spilled[spi]}.
 */
public final class FuncState {
    public static final int MAX_STACK = 512;
    public static final int SLOTS = MAX_STACK / 8;

    public final RegState[] regs = new RegState[11];
    /** Depth of this frame in the call chain (0 = main program). */
    public int frameNo;
    /** The subprogram this frame runs. */
    public int subprog;
    /** The call instruction that created this frame, or -1 for the main program. */
    public int callsite;
    /** Bytes of stack in use, a multiple of 8. */
    public int allocated;
    public byte[] slotType = new byte[0];
    public RegState[] spilled = new RegState[0];
    /** Callback frames ({@code bpf_loop}): the range the callback must return. */
    public boolean inCallback;
    public long callbackRetMin, callbackRetMax;
    /** Callback calls queued from this frame at the current helper call ({@code bpf_loop} iterations). */
    public long callbackDepth;
    /** Stack liveness: slots written in this segment, since the state's last checkpoint (bit {@code spi}). */
    public long stackWritten;
    /** For checkpoints: stack slots some continuation reads before writing (bit {@code spi}). */
    public long stackRead;

    public FuncState(int frameNo, int subprog, int callsite) {
        this.frameNo = frameNo;
        this.subprog = subprog;
        this.callsite = callsite;
        for (int i = 0; i < regs.length; i++) {
            regs[i] = new RegState();
        }
    }

    public FuncState(FuncState o) {
        frameNo = o.frameNo;
        subprog = o.subprog;
        callsite = o.callsite;
        for (int i = 0; i < regs.length; i++) {
            regs[i] = new RegState(o.regs[i]);
        }
        allocated = o.allocated;
        slotType = o.slotType.length == 0 ? o.slotType : o.slotType.clone();
        spilled = o.spilled.length == 0 ? o.spilled : new RegState[o.spilled.length];
        for (int i = 0; i < spilled.length; i++) {
            RegState r = o.spilled[i];
            if (r != null) {
                spilled[i] = new RegState(r);
            }
        }
        inCallback = o.inCallback;
        callbackRetMin = o.callbackRetMin;
        callbackRetMax = o.callbackRetMax;
        callbackDepth = o.callbackDepth;
        stackWritten = o.stackWritten;
        stackRead = o.stackRead;
    }

    /** Makes bytes down to {@code fp+off} (off negative) part of the frame. */
    public void growStack(int off) {
        int need = (-off + 7) & ~7;
        if (need <= allocated) {
            return;
        }
        slotType = Arrays.copyOf(slotType, need);
        spilled = Arrays.copyOf(spilled, need / 8);
        allocated = need;
    }

    public static int spi(int off) {
        return (-off - 1) / 8;
    }

    /** Whether slot {@code spi} holds a whole 8-byte spilled register. */
    public boolean isFullSpill(int spi) {
        if ((spi + 1) * 8 > allocated) {
            return false;
        }
        for (int j = 0; j < 8; j++) {
            if (slotType[spi * 8 + j] != StackSlot.SPILL) {
                return false;
            }
        }
        return true;
    }

    /** Ends the spill in slot {@code spi}, if there is one: its bytes stay initialised, as plain data. */
    public void breakSpill(int spi) {
        if (!isSpilled(spi) && (spi >= spilled.length || spilled[spi] == null)) {
            return;
        }
        spilled[spi] = null;
        for (int j = 0; j < 8; j++) {
            if (slotType[spi * 8 + j] == StackSlot.SPILL) {
                slotType[spi * 8 + j] = StackSlot.MISC;
            }
        }
    }

    /** Whether the last (lowest-addressed) byte of slot {@code spi} is a spill: some register is spilled there. */
    public boolean isSpilled(int spi) {
        return (spi + 1) * 8 <= allocated && slotType[spi * 8 + 7] == StackSlot.SPILL;
    }
}
