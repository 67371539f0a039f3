package org.bpfsdt.core.interp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.core.exec.RunSlot;

/**
 * One thread's execution state, reused by every run on that thread so runs allocate nothing:
 * register files, a native stack holding every frame (512 bytes each), the bookkeeping of
 * bpf-to-bpf calls, and what helpers need to know about the run in progress. Runs nest (a
 * helper may run another program on the same thread): each nested run takes the next register
 * file and continues the frame stack above the frames in use.
 */
public final class ExecState extends RunSlot {
    /** Bytes of one frame's stack. */
    public static final int FRAME_SIZE = Opcodes.STACK_SIZE;
    /** Frames one thread can hold across nested runs. */
    public static final int THREAD_FRAMES = 64;
    /** The kernel's may_goto budget per frame. */
    static final long MAY_GOTO_BUDGET = Opcodes.MAX_LOOPS;

    /**
     * Bytes of native scratch memory each thread's helpers may use, one helper at a time: the
     * first {@value #SCRATCH_HEADER} bytes for system call structures ({@code timespec},
     * {@code iovec}s), the rest as a buffer for copies ({@code bpf_trace_printk}'s strings).
     */
    public static final int SCRATCH_SIZE = 1024, SCRATCH_HEADER = 64;

    private final Interpreter interpreter;
    private final int cpu;
    private final long stackTop;
    private final long stackBottom;
    /** Per nesting level, room for an SDT probe's arguments (the context its observers get). */
    private final long probeArgs;
    private final long scratch;
    /** State of {@link #nextRandom()}, one generator per thread as the kernel has one per CPU. */
    private long random;

    // per nested run
    final long[][] regFiles = new long[THREAD_FRAMES][];
    int level;

    // per frame: caller's r6..r9, return slot, caller's program, may_goto budget
    final long[] saved = new long[THREAD_FRAMES * 4];
    final int[] retPc = new int[THREAD_FRAMES];
    final DecodedProgram[] retProg = new DecodedProgram[THREAD_FRAMES];
    final long[] mayGoto = new long[THREAD_FRAMES];
    /** First frame not used by the runs in progress: where a nested run starts. */
    int frameTop;

    // the run in progress, for helpers
    DecodedProgram program;
    long ctx;
    /** Helpers of the native run in progress (JIT code calls them through upcall stubs), else {@code null}. */
    Helper[] nativeHelpers;
    int nativeProgramId;
    /** What a helper called from native code threw; rethrown when the native run returns. */
    private Throwable nativeFault;

    // checked mode
    CheckedMemory checker;
    long[] stackInit;

    /** Owns this thread's native stack and scratch memory; only addresses are kept, so the arena itself must stay referenced. */
    private final Arena memory;

    ExecState(Interpreter interpreter, int cpu) {
        this.interpreter = interpreter;
        this.cpu = cpu;
        // freed by the GC with this state, when its thread is gone: the field keeps the arena reachable
        this.memory = Arena.ofAuto();
        MemorySegment stack = memory.allocate((long) THREAD_FRAMES * FRAME_SIZE, 16);
        this.stackBottom = stack.address();
        this.stackTop = stackBottom + stack.byteSize();
        this.probeArgs = memory.allocate((THREAD_FRAMES + 1L) * PROBE_ARGS_SIZE, 16).address();
        this.scratch = memory.allocate(SCRATCH_SIZE, 16).address();
        this.random = new java.security.SecureRandom().nextLong();
    }

    /** {@value #SCRATCH_SIZE} bytes of native memory only this thread uses, for helpers; not kept across calls. */
    public long scratch() {
        return scratch;
    }

    /** The next 32 random bits of this thread's generator (SplitMix64), for {@code bpf_get_prandom_u32}. */
    public long nextRandom() {
        long z = random += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) >>> 32;
    }

    private static final int PROBE_ARGS_SIZE = 8 * org.bpfsdt.api.spi.FuncModel.MAX_REG_ARGS;

    /** The argument area of the run in progress: observers it calls nest one level deeper, so theirs is another. */
    long probeArgs() {
        return probeArgs + (long) level * PROBE_ARGS_SIZE;
    }

    /** The r10 of frame {@code frame}: the top of its 512 bytes. */
    long frameAddress(int frame) {
        return stackTop - (long) FRAME_SIZE * frame;
    }

    long stackBottom() {
        return stackBottom;
    }

    long stackTop() {
        return stackTop;
    }

    long[] regs(int lvl) {
        long[] r = regFiles[lvl];
        if (r == null) {
            // 16 so that a 4-bit register field always indexes inside it
            r = regFiles[lvl] = new long[16];
        }
        return r;
    }

    /** The program running now (after tail calls: the one the run continued in), or {@code null}. */
    public DecodedProgram program() {
        return program;
    }

    /** The id of the program running now (0 for raw runs and when none runs). */
    public int programId() {
        DecodedProgram p = program;
        return p != null ? p.id() : nativeProgramId;
    }

    /** The helper {@code id} of the run in progress, for upcalls from native code; {@code null} when it has none. */
    public Helper nativeHelper(int id) {
        Helper[] h = nativeHelpers != null ? nativeHelpers : program != null ? program.helpers : null;
        return h != null && id >= 0 && id < h.length ? h[id] : null;
    }

    /**
     * Runs {@code body} on {@code ctx} and {@code arg} as a native run of program {@code programId}:
     * helpers called from its code find {@code helpers} and {@code ctx} here. Nested native and
     * interpreted runs restore what they replace.
     */
    public long runNative(int programId, Helper[] helpers, long ctx, long arg, NativeBody body) {
        DecodedProgram outerProgram = program;
        Helper[] outerHelpers = nativeHelpers;
        int outerId = nativeProgramId;
        long outerCtx = this.ctx;
        program = null;
        nativeHelpers = helpers;
        nativeProgramId = programId;
        this.ctx = ctx;
        level++;
        try {
            long r0 = body.run(ctx, arg);
            Throwable f = nativeFault;
            if (f != null) {
                nativeFault = null;
                if (f instanceof RuntimeException re) {
                    throw re;
                }
                if (f instanceof Error er) {
                    throw er;
                }
                throw new IllegalStateException(f);
            }
            return r0;
        } finally {
            level--;
            program = outerProgram;
            nativeHelpers = outerHelpers;
            nativeProgramId = outerId;
            this.ctx = outerCtx;
        }
    }

    /** Records what a helper called from native code threw (an exception cannot unwind through native frames). */
    public void recordFault(Throwable t) {
        if (nativeFault == null) {
            nativeFault = t;
        }
    }

    /** The native code of one run: ctx and one more argument in (a batch's repeat count, a raw run's length), r0 out. */
    @FunctionalInterface
    public interface NativeBody {
        long run(long ctx, long arg);
    }

    /** The context (r1) the run in progress was started with. */
    public long context() {
        return ctx;
    }

    /** The CPU number this thread counts as, for per-CPU maps and {@code bpf_get_smp_processor_id}. */
    public int cpu() {
        return cpu;
    }

    /** The interpreter this state belongs to, for helpers that run callbacks. */
    public Interpreter interpreter() {
        return interpreter;
    }
}
