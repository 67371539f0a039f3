package org.bpfsdt.verifier.domain;

import java.util.Arrays;

/**
 * The state of one path through the program, as the kernel's {@code struct bpf_verifier_state}:
 * the call frames, acquired references, and the bookkeeping that state pruning and precision
 * tracking need (parent checkpoint, open branches, the instruction history since the parent).
 */
public final class VerifierState {
    public final FuncState[] frames = new FuncState[8];
    public int curFrame;
    public RefState[] refs = new RefState[0];
    /** The reference id of the held spin lock, or 0. */
    public int activeLockId;
    /** The map whose value holds the held lock, and the lock pointer's id. */
    public int activeLockMap = -1, activeLockPtrId;

    /** The checkpoint this path continued from (explored states only have it too). */
    public VerifierState parent;
    /** Paths still being explored below this state (explored states are complete at 0). */
    public int branches = 1;
    /** The instruction this state is at (checkpoints: where they were taken). */
    public int insnIdx;
    /** First and last instruction processed in the segment that ends at this state. */
    public int firstInsnIdx, lastInsnIdx;
    /** Non-sequential steps and stack accesses of this segment, newest last; see {@link History}. */
    public History history = new History();
    /** Loops through {@code may_goto} left open on this path, and bpf_loop callback unrolling. */
    public int mayGotoDepth, callbackUnrollDepth;
    /** Number of times an explored state pruned a path (for eviction heuristics). */
    public int hitCount, missCount;

    public VerifierState() {
    }

    /** A deep copy (the kernel's copy_verifier_state). */
    public VerifierState(VerifierState o) {
        curFrame = o.curFrame;
        for (int i = 0; i <= o.curFrame; i++) {
            frames[i] = new FuncState(o.frames[i]);
        }
        refs = o.refs;
        activeLockId = o.activeLockId;
        activeLockMap = o.activeLockMap;
        activeLockPtrId = o.activeLockPtrId;
        parent = o.parent;
        branches = o.branches;
        insnIdx = o.insnIdx;
        firstInsnIdx = o.firstInsnIdx;
        lastInsnIdx = o.lastInsnIdx;
        history = new History(o.history);
        mayGotoDepth = o.mayGotoDepth;
        callbackUnrollDepth = o.callbackUnrollDepth;
    }

    public FuncState cur() {
        return frames[curFrame];
    }

    public RegState reg(int r) {
        return frames[curFrame].regs[r];
    }

    public void addRef(RefState r) {
        RefState[] n = Arrays.copyOf(refs, refs.length + 1);
        n[refs.length] = r;
        refs = n;
    }

    /** Removes reference {@code id}; false when it is not held. */
    public boolean removeRef(int id) {
        for (int i = 0; i < refs.length; i++) {
            if (refs[i].id() == id) {
                RefState[] n = new RefState[refs.length - 1];
                System.arraycopy(refs, 0, n, 0, i);
                System.arraycopy(refs, i + 1, n, i, refs.length - i - 1);
                refs = n;
                return true;
            }
        }
        return false;
    }

    /**
     * The instruction history of a segment: entries {@code (idx, prevIdx, flags, linked)} for each
     * instruction reached non-sequentially and each stack access, which lets precision tracking
     * walk the path backwards (the kernel's jmp_history).
     */
    public static final class History {
        /** Flag: the instruction accessed stack slot {@code spi} of frame {@code frame}. */
        public static final int STACK_ACCESS = 1 << 16;
        private static final int W = 6;

        private int[] data;
        private int size;

        public History() {
            data = new int[0];
        }

        public History(History o) {
            data = o.size == 0 ? new int[0] : Arrays.copyOf(o.data, o.size * W);
            size = o.size;
        }

        private void push(int idx, int prevIdx) {
            if ((size + 1) * W > data.length) {
                data = Arrays.copyOf(data, Math.max(16 * W, data.length * 2));
            }
            int b = size * W;
            data[b] = idx;
            data[b + 1] = prevIdx;
            data[b + 2] = 0;
            data[b + 3] = 0;
            data[b + 4] = 0;
            data[b + 5] = 0;
            size++;
        }

        /** Records that {@code idx} was reached from {@code prevIdx}. */
        public void arrive(int idx, int prevIdx) {
            push(idx, prevIdx);
        }

        /** Adds flags and linked registers/slots to the newest entry when it is for {@code idx}, else pushes one. */
        public void mark(int idx, int prevIdx, int flags, int linkedRegs, long linkedSlots) {
            if (size == 0 || data[(size - 1) * W] != idx) {
                push(idx, prevIdx);
            }
            int b = (size - 1) * W;
            data[b + 2] |= flags;
            data[b + 3] |= linkedRegs;
            data[b + 4] |= (int) linkedSlots;
            data[b + 5] |= (int) (linkedSlots >>> 32);
        }

        public int size() {
            return size;
        }

        public int idx(int i) {
            return data[i * W];
        }

        public int prevIdx(int i) {
            return data[i * W + 1];
        }

        public int flags(int i) {
            return data[i * W + 2];
        }

        public int linkedRegs(int i) {
            return data[i * W + 3];
        }

        public long linkedSlots(int i) {
            return (data[i * W + 4] & 0xffffffffL) | ((long) data[i * W + 5]) << 32;
        }

        public void clear() {
            size = 0;
        }

        public static int stackFlags(int frame, int spi) {
            return STACK_ACCESS | frame << 8 | spi;
        }
    }
}
