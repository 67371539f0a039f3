package org.bpfsdt.core.interp;

import static org.bpfsdt.core.interp.DecodedProgram.dst;
import static org.bpfsdt.core.interp.DecodedProgram.imm;
import static org.bpfsdt.core.interp.DecodedProgram.off;
import static org.bpfsdt.core.interp.DecodedProgram.op;
import static org.bpfsdt.core.interp.DecodedProgram.src;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.core.exec.NativeMemory;

/**
 * The BPF interpreter: RFC 9669 v1 to v4 over native memory, one switch over pre-decoded
 * opcodes ({@link DecodedProgram}), registers in a reused array, no allocation per instruction
 * or per run. Local calls get their own 512-byte frame (at most {@value Opcodes#MAX_CALL_FRAMES}
 * per run); helpers are called through the table the program was decoded with; tail calls go
 * through a {@link TailCallResolver} and stop at {@value Opcodes#MAX_TAIL_CALLS}.
 *
 * <p>The interpreter trusts its program as the kernel's does: memory safety comes from the
 * verifier. The only memory it refuses on its own is the unmapped low page range
 * ({@link NativeMemory#FLOOR}), which faults with {@link Errno#EFAULT} naming the instruction.
 * For programs the verifier has not seen, use the checked mode ({@link #runChecked}).
 */
public final class Interpreter {
    private static final long M32 = 0xffffffffL;
    private static final int FRAME = ExecState.FRAME_SIZE;

    private final TailCallResolver tailCalls;

    public Interpreter(TailCallResolver tailCalls) {
        this.tailCalls = tailCalls == null ? TailCallResolver.NONE : tailCalls;
    }

    /** A new execution state for one thread; {@code cpu} is the CPU number its helpers see. */
    public ExecState newState(int cpu) {
        return new ExecState(this, cpu);
    }

    /** Runs {@code p} (fast form) from its first slot with r1, r2 set and r10 at the top of a fresh frame; returns r0. */
    public long run(ExecState st, DecodedProgram p, long r1, long r2) {
        if (p.checked) {
            throw new IllegalArgumentException("a program decoded for the checked mode runs with runChecked");
        }
        return enter(st, p, 0, r1, r2, 0, 0, 0);
    }

    /**
     * Runs {@code p} (decoded in checked mode) with every memory access checked against
     * {@code memory} and the run's stack; a violation throws {@link Errno#EFAULT} naming the
     * instruction, register and address.
     */
    public long runChecked(ExecState st, DecodedProgram p, CheckedMemory memory, long r1, long r2) {
        if (!p.checked) {
            throw new IllegalArgumentException("runChecked needs a program decoded in checked mode");
        }
        CheckedMemory outer = st.checker;
        st.checker = memory;
        memory.beginRun();
        try {
            return enter(st, p, 0, r1, r2, 0, 0, 0);
        } finally {
            memory.endRun();
            st.checker = outer;
        }
    }

    /**
     * Calls the function at slot {@code entry} of the program running on {@code st} with r1..r5,
     * in a new frame, and returns its r0: how helpers such as {@code bpf_loop} run callbacks
     * ({@code entry} is what an LDDW with {@code BPF_PSEUDO_FUNC} loaded).
     */
    public long callFunction(ExecState st, long entry, long r1, long r2, long r3, long r4, long r5) {
        DecodedProgram p = st.program;
        if (p == null) {
            throw new IllegalStateException("callFunction outside a program run");
        }
        if (entry < 0 || entry >= p.code.length) {
            throw new BpfException(Errno.EINVAL, "callback slot " + entry + " is outside program " + p.name());
        }
        return enter(st, p, (int) entry, r1, r2, r3, r4, r5);
    }

    private long enter(ExecState st, DecodedProgram p, int entry, long r1, long r2, long r3, long r4, long r5) {
        int level = st.level;
        int base = st.frameTop;
        if (base >= ExecState.THREAD_FRAMES || level >= ExecState.THREAD_FRAMES) {
            throw new BpfException(Errno.E2BIG, "program " + p.name() + ": nested runs on this thread use all "
                    + ExecState.THREAD_FRAMES + " stack frames");
        }
        long[] r = st.regs(level);
        DecodedProgram outerProgram = st.program;
        Helper[] outerNative = st.nativeHelpers;
        long outerCtx = st.ctx;
        st.nativeHelpers = null;
        st.level = level + 1;
        st.program = p;
        st.ctx = r1;
        r[0] = 0;
        r[1] = r1;
        r[2] = r2;
        r[3] = r3;
        r[4] = r4;
        r[5] = r5;
        r[6] = 0;
        r[7] = 0;
        r[8] = 0;
        r[9] = 0;
        r[10] = st.frameAddress(base);
        st.mayGoto[base] = ExecState.MAY_GOTO_BUDGET;
        if (p.checked) {
            st.checker.enterFrame(st, base);
        }
        try {
            return loop(st, p, entry, r, base);
        } finally {
            st.level = level;
            st.frameTop = base;
            st.program = outerProgram;
            st.nativeHelpers = outerNative;
            st.ctx = outerCtx;
        }
    }

    @SuppressWarnings("fallthrough")
    private long loop(ExecState st, DecodedProgram p, int pc, long[] r, int base) {
        long[] code = p.code;
        Helper[] hs = p.helpers;
        long[] mg = st.mayGoto;
        long[] sv = st.saved;
        int frame = base;
        int tailCount = 0;
        try {
            for (;;) {
                long w = code[pc];
                switch (op(w)) {
                    case Op.ADD64_X: r[dst(w)] += r[src(w)]; pc++; break;
                    case Op.ADD64_K: r[dst(w)] += imm(w); pc++; break;
                    case Op.SUB64_X: r[dst(w)] -= r[src(w)]; pc++; break;
                    case Op.SUB64_K: r[dst(w)] -= imm(w); pc++; break;
                    case Op.MUL64_X: r[dst(w)] *= r[src(w)]; pc++; break;
                    case Op.MUL64_K: r[dst(w)] *= imm(w); pc++; break;
                    case Op.DIV64_X: r[dst(w)] = udiv64(r[dst(w)], r[src(w)]); pc++; break;
                    case Op.DIV64_K: r[dst(w)] = udiv64(r[dst(w)], imm(w)); pc++; break;
                    case Op.SDIV64_X: r[dst(w)] = sdiv64(r[dst(w)], r[src(w)]); pc++; break;
                    case Op.SDIV64_K: r[dst(w)] = sdiv64(r[dst(w)], imm(w)); pc++; break;
                    case Op.MOD64_X: r[dst(w)] = umod64(r[dst(w)], r[src(w)]); pc++; break;
                    case Op.MOD64_K: r[dst(w)] = umod64(r[dst(w)], imm(w)); pc++; break;
                    case Op.SMOD64_X: r[dst(w)] = smod64(r[dst(w)], r[src(w)]); pc++; break;
                    case Op.SMOD64_K: r[dst(w)] = smod64(r[dst(w)], imm(w)); pc++; break;
                    case Op.OR64_X: r[dst(w)] |= r[src(w)]; pc++; break;
                    case Op.OR64_K: r[dst(w)] |= imm(w); pc++; break;
                    case Op.AND64_X: r[dst(w)] &= r[src(w)]; pc++; break;
                    case Op.AND64_K: r[dst(w)] &= imm(w); pc++; break;
                    // Java masks long shift counts to 6 bits and int ones to 5, as BPF requires
                    case Op.LSH64_X: r[dst(w)] <<= r[src(w)]; pc++; break;
                    case Op.LSH64_K: r[dst(w)] <<= imm(w); pc++; break;
                    case Op.RSH64_X: r[dst(w)] >>>= r[src(w)]; pc++; break;
                    case Op.RSH64_K: r[dst(w)] >>>= imm(w); pc++; break;
                    case Op.ARSH64_X: r[dst(w)] >>= r[src(w)]; pc++; break;
                    case Op.ARSH64_K: r[dst(w)] >>= imm(w); pc++; break;
                    case Op.XOR64_X: r[dst(w)] ^= r[src(w)]; pc++; break;
                    case Op.XOR64_K: r[dst(w)] ^= imm(w); pc++; break;
                    case Op.MOV64_X: r[dst(w)] = r[src(w)]; pc++; break;
                    case Op.MOV64_K: r[dst(w)] = imm(w); pc++; break;
                    case Op.NEG64: r[dst(w)] = -r[dst(w)]; pc++; break;
                    case Op.MOVSX64_8: r[dst(w)] = (byte) r[src(w)]; pc++; break;
                    case Op.MOVSX64_16: r[dst(w)] = (short) r[src(w)]; pc++; break;
                    case Op.MOVSX64_32: r[dst(w)] = (int) r[src(w)]; pc++; break;

                    case Op.ADD32_X: r[dst(w)] = ((int) r[dst(w)] + (int) r[src(w)]) & M32; pc++; break;
                    case Op.ADD32_K: r[dst(w)] = ((int) r[dst(w)] + (int) imm(w)) & M32; pc++; break;
                    case Op.SUB32_X: r[dst(w)] = ((int) r[dst(w)] - (int) r[src(w)]) & M32; pc++; break;
                    case Op.SUB32_K: r[dst(w)] = ((int) r[dst(w)] - (int) imm(w)) & M32; pc++; break;
                    case Op.MUL32_X: r[dst(w)] = ((int) r[dst(w)] * (int) r[src(w)]) & M32; pc++; break;
                    case Op.MUL32_K: r[dst(w)] = ((int) r[dst(w)] * (int) imm(w)) & M32; pc++; break;
                    case Op.DIV32_X: r[dst(w)] = udiv32(r[dst(w)], r[src(w)]); pc++; break;
                    case Op.DIV32_K: r[dst(w)] = udiv32(r[dst(w)], imm(w)); pc++; break;
                    case Op.SDIV32_X: r[dst(w)] = sdiv32(r[dst(w)], r[src(w)]); pc++; break;
                    case Op.SDIV32_K: r[dst(w)] = sdiv32(r[dst(w)], imm(w)); pc++; break;
                    case Op.MOD32_X: r[dst(w)] = umod32(r[dst(w)], r[src(w)]); pc++; break;
                    case Op.MOD32_K: r[dst(w)] = umod32(r[dst(w)], imm(w)); pc++; break;
                    case Op.SMOD32_X: r[dst(w)] = smod32(r[dst(w)], r[src(w)]); pc++; break;
                    case Op.SMOD32_K: r[dst(w)] = smod32(r[dst(w)], imm(w)); pc++; break;
                    case Op.OR32_X: r[dst(w)] = (r[dst(w)] | r[src(w)]) & M32; pc++; break;
                    case Op.OR32_K: r[dst(w)] = (r[dst(w)] | imm(w)) & M32; pc++; break;
                    case Op.AND32_X: r[dst(w)] = r[dst(w)] & r[src(w)] & M32; pc++; break;
                    case Op.AND32_K: r[dst(w)] = r[dst(w)] & imm(w) & M32; pc++; break;
                    case Op.LSH32_X: r[dst(w)] = ((int) r[dst(w)] << (int) r[src(w)]) & M32; pc++; break;
                    case Op.LSH32_K: r[dst(w)] = ((int) r[dst(w)] << (int) imm(w)) & M32; pc++; break;
                    case Op.RSH32_X: r[dst(w)] = ((int) r[dst(w)] >>> (int) r[src(w)]) & M32; pc++; break;
                    case Op.RSH32_K: r[dst(w)] = ((int) r[dst(w)] >>> (int) imm(w)) & M32; pc++; break;
                    case Op.ARSH32_X: r[dst(w)] = ((int) r[dst(w)] >> (int) r[src(w)]) & M32; pc++; break;
                    case Op.ARSH32_K: r[dst(w)] = ((int) r[dst(w)] >> (int) imm(w)) & M32; pc++; break;
                    case Op.XOR32_X: r[dst(w)] = (r[dst(w)] ^ r[src(w)]) & M32; pc++; break;
                    case Op.XOR32_K: r[dst(w)] = (r[dst(w)] ^ imm(w)) & M32; pc++; break;
                    case Op.MOV32_X: r[dst(w)] = r[src(w)] & M32; pc++; break;
                    case Op.MOV32_K: r[dst(w)] = imm(w) & M32; pc++; break;
                    case Op.NEG32: r[dst(w)] = -(int) r[dst(w)] & M32; pc++; break;
                    case Op.MOVSX32_8: r[dst(w)] = (byte) r[src(w)] & M32; pc++; break;
                    case Op.MOVSX32_16: r[dst(w)] = (short) r[src(w)] & M32; pc++; break;

                    case Op.LE16: r[dst(w)] &= 0xffffL; pc++; break;
                    case Op.LE32: r[dst(w)] &= M32; pc++; break;
                    case Op.BSWAP16: r[dst(w)] = Short.reverseBytes((short) r[dst(w)]) & 0xffffL; pc++; break;
                    case Op.BSWAP32: r[dst(w)] = Integer.reverseBytes((int) r[dst(w)]) & M32; pc++; break;
                    case Op.BSWAP64: r[dst(w)] = Long.reverseBytes(r[dst(w)]); pc++; break;

                    case Op.LDXB: MemoryOps.ldxb(r, w); pc++; break;
                    case Op.LDXH: MemoryOps.ldxh(r, w); pc++; break;
                    case Op.LDXW: MemoryOps.ldxw(r, w); pc++; break;
                    case Op.LDXDW: MemoryOps.ldxdw(r, w); pc++; break;
                    case Op.LDXSB: MemoryOps.ldxsb(r, w); pc++; break;
                    case Op.LDXSH: MemoryOps.ldxsh(r, w); pc++; break;
                    case Op.LDXSW: MemoryOps.ldxsw(r, w); pc++; break;
                    case Op.STXB: MemoryOps.stxb(r, w); pc++; break;
                    case Op.STXH: MemoryOps.stxh(r, w); pc++; break;
                    case Op.STXW: MemoryOps.stxw(r, w); pc++; break;
                    case Op.STXDW: MemoryOps.stxdw(r, w); pc++; break;
                    case Op.STB: MemoryOps.stb(r, w); pc++; break;
                    case Op.STH: MemoryOps.sth(r, w); pc++; break;
                    case Op.STW: MemoryOps.stw(r, w); pc++; break;
                    case Op.STDW: MemoryOps.stdw(r, w); pc++; break;
                    case Op.AADD32: MemoryOps.aadd32(r, w); pc++; break;
                    case Op.AOR32: MemoryOps.aor32(r, w); pc++; break;
                    case Op.AAND32: MemoryOps.aand32(r, w); pc++; break;
                    case Op.AXOR32: MemoryOps.axor32(r, w); pc++; break;
                    case Op.AFADD32: MemoryOps.afadd32(r, w); pc++; break;
                    case Op.AFOR32: MemoryOps.afor32(r, w); pc++; break;
                    case Op.AFAND32: MemoryOps.afand32(r, w); pc++; break;
                    case Op.AFXOR32: MemoryOps.afxor32(r, w); pc++; break;
                    case Op.AXCHG32: MemoryOps.axchg32(r, w); pc++; break;
                    case Op.ACMPXCHG32: MemoryOps.acmpxchg32(r, w); pc++; break;
                    case Op.AADD64: MemoryOps.aadd64(r, w); pc++; break;
                    case Op.AOR64: MemoryOps.aor64(r, w); pc++; break;
                    case Op.AAND64: MemoryOps.aand64(r, w); pc++; break;
                    case Op.AXOR64: MemoryOps.axor64(r, w); pc++; break;
                    case Op.AFADD64: MemoryOps.afadd64(r, w); pc++; break;
                    case Op.AFOR64: MemoryOps.afor64(r, w); pc++; break;
                    case Op.AFAND64: MemoryOps.afand64(r, w); pc++; break;
                    case Op.AFXOR64: MemoryOps.afxor64(r, w); pc++; break;
                    case Op.AXCHG64: MemoryOps.axchg64(r, w); pc++; break;
                    case Op.ACMPXCHG64: MemoryOps.acmpxchg64(r, w); pc++; break;

                    case Op.LDDW: r[dst(w)] = (w >>> 32) | (code[pc + 1] & 0xffffffff00000000L); pc += 2; break;
                    case Op.LDABSB: case Op.LDABSH: case Op.LDABSW: case Op.LDINDB: case Op.LDINDH: case Op.LDINDW:
                        if (!legacyLoad(r, w)) {
                            // out of the packet: the kernel ends the program with 0
                            return 0;
                        }
                        pc++;
                        break;

                    case Op.JEQ_X: pc += r[dst(w)] == r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JEQ_K: pc += r[dst(w)] == imm(w) ? off(w) + 1 : 1; break;
                    case Op.JGT_X: pc += Long.compareUnsigned(r[dst(w)], r[src(w)]) > 0 ? off(w) + 1 : 1; break;
                    case Op.JGT_K: pc += Long.compareUnsigned(r[dst(w)], imm(w)) > 0 ? off(w) + 1 : 1; break;
                    case Op.JGE_X: pc += Long.compareUnsigned(r[dst(w)], r[src(w)]) >= 0 ? off(w) + 1 : 1; break;
                    case Op.JGE_K: pc += Long.compareUnsigned(r[dst(w)], imm(w)) >= 0 ? off(w) + 1 : 1; break;
                    case Op.JSET_X: pc += (r[dst(w)] & r[src(w)]) != 0 ? off(w) + 1 : 1; break;
                    case Op.JSET_K: pc += (r[dst(w)] & imm(w)) != 0 ? off(w) + 1 : 1; break;
                    case Op.JNE_X: pc += r[dst(w)] != r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JNE_K: pc += r[dst(w)] != imm(w) ? off(w) + 1 : 1; break;
                    case Op.JSGT_X: pc += r[dst(w)] > r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JSGT_K: pc += r[dst(w)] > imm(w) ? off(w) + 1 : 1; break;
                    case Op.JSGE_X: pc += r[dst(w)] >= r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JSGE_K: pc += r[dst(w)] >= imm(w) ? off(w) + 1 : 1; break;
                    case Op.JLT_X: pc += Long.compareUnsigned(r[dst(w)], r[src(w)]) < 0 ? off(w) + 1 : 1; break;
                    case Op.JLT_K: pc += Long.compareUnsigned(r[dst(w)], imm(w)) < 0 ? off(w) + 1 : 1; break;
                    case Op.JLE_X: pc += Long.compareUnsigned(r[dst(w)], r[src(w)]) <= 0 ? off(w) + 1 : 1; break;
                    case Op.JLE_K: pc += Long.compareUnsigned(r[dst(w)], imm(w)) <= 0 ? off(w) + 1 : 1; break;
                    case Op.JSLT_X: pc += r[dst(w)] < r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JSLT_K: pc += r[dst(w)] < imm(w) ? off(w) + 1 : 1; break;
                    case Op.JSLE_X: pc += r[dst(w)] <= r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JSLE_K: pc += r[dst(w)] <= imm(w) ? off(w) + 1 : 1; break;

                    case Op.JEQ32_X: pc += (int) r[dst(w)] == (int) r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JEQ32_K: pc += (int) r[dst(w)] == (int) imm(w) ? off(w) + 1 : 1; break;
                    case Op.JGT32_X: pc += Integer.compareUnsigned((int) r[dst(w)], (int) r[src(w)]) > 0 ? off(w) + 1 : 1; break;
                    case Op.JGT32_K: pc += Integer.compareUnsigned((int) r[dst(w)], (int) imm(w)) > 0 ? off(w) + 1 : 1; break;
                    case Op.JGE32_X: pc += Integer.compareUnsigned((int) r[dst(w)], (int) r[src(w)]) >= 0 ? off(w) + 1 : 1; break;
                    case Op.JGE32_K: pc += Integer.compareUnsigned((int) r[dst(w)], (int) imm(w)) >= 0 ? off(w) + 1 : 1; break;
                    case Op.JSET32_X: pc += ((int) r[dst(w)] & (int) r[src(w)]) != 0 ? off(w) + 1 : 1; break;
                    case Op.JSET32_K: pc += ((int) r[dst(w)] & (int) imm(w)) != 0 ? off(w) + 1 : 1; break;
                    case Op.JNE32_X: pc += (int) r[dst(w)] != (int) r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JNE32_K: pc += (int) r[dst(w)] != (int) imm(w) ? off(w) + 1 : 1; break;
                    case Op.JSGT32_X: pc += (int) r[dst(w)] > (int) r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JSGT32_K: pc += (int) r[dst(w)] > (int) imm(w) ? off(w) + 1 : 1; break;
                    case Op.JSGE32_X: pc += (int) r[dst(w)] >= (int) r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JSGE32_K: pc += (int) r[dst(w)] >= (int) imm(w) ? off(w) + 1 : 1; break;
                    case Op.JLT32_X: pc += Integer.compareUnsigned((int) r[dst(w)], (int) r[src(w)]) < 0 ? off(w) + 1 : 1; break;
                    case Op.JLT32_K: pc += Integer.compareUnsigned((int) r[dst(w)], (int) imm(w)) < 0 ? off(w) + 1 : 1; break;
                    case Op.JLE32_X: pc += Integer.compareUnsigned((int) r[dst(w)], (int) r[src(w)]) <= 0 ? off(w) + 1 : 1; break;
                    case Op.JLE32_K: pc += Integer.compareUnsigned((int) r[dst(w)], (int) imm(w)) <= 0 ? off(w) + 1 : 1; break;
                    case Op.JSLT32_X: pc += (int) r[dst(w)] < (int) r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JSLT32_K: pc += (int) r[dst(w)] < (int) imm(w) ? off(w) + 1 : 1; break;
                    case Op.JSLE32_X: pc += (int) r[dst(w)] <= (int) r[src(w)] ? off(w) + 1 : 1; break;
                    case Op.JSLE32_K: pc += (int) r[dst(w)] <= (int) imm(w) ? off(w) + 1 : 1; break;

                    case Op.JA: pc += off(w) + 1; break;
                    case Op.GOTOL: pc += (int) imm(w) + 1; break;
                    case Op.MAY_GOTO:
                        // the kernel's semantics: a per-frame budget; the jump is taken once it is spent
                        if (mg[frame] == 0) {
                            pc += off(w) + 1;
                        } else {
                            mg[frame]--;
                            pc++;
                        }
                        break;

                    case Op.CALL_HELPER:
                        st.frameTop = frame + 1;
                        r[0] = hs[(int) imm(w)].call(st, r[1], r[2], r[3], r[4], r[5]);
                        pc++;
                        break;
                    case Op.CALLX: {
                        long id = r[dst(w)];
                        Helper h = id >= 0 && id < hs.length ? hs[(int) id] : null;
                        if (h == null) {
                            throw new BpfException(Errno.EINVAL, p.describe(pc) + ": r" + dst(w) + " = " + id + " is no helper this program may call");
                        }
                        st.frameTop = frame + 1;
                        r[0] = h.call(st, r[1], r[2], r[3], r[4], r[5]);
                        pc++;
                        break;
                    }
                    case Op.CALL_LOCAL: {
                        if (frame - base + 1 >= Opcodes.MAX_CALL_FRAMES || frame + 1 >= ExecState.THREAD_FRAMES) {
                            throw new BpfException(Errno.E2BIG, p.describe(pc) + ": the call would exceed "
                                    + Opcodes.MAX_CALL_FRAMES + " nested frames");
                        }
                        int s = frame << 2;
                        sv[s] = r[6];
                        sv[s + 1] = r[7];
                        sv[s + 2] = r[8];
                        sv[s + 3] = r[9];
                        st.retPc[frame] = pc + 1;
                        st.retProg[frame] = p;
                        frame++;
                        r[10] -= FRAME;
                        mg[frame] = ExecState.MAY_GOTO_BUDGET;
                        if (p.checked) {
                            st.checker.enterFrame(st, frame);
                        }
                        pc += (int) imm(w) + 1;
                        break;
                    }
                    case Op.TAIL_CALL: {
                        CallTarget t = tailCount < Opcodes.MAX_TAIL_CALLS ? tailCalls.resolve(r[2], r[3]) : null;
                        if (t == null) {
                            // as the kernel: a failed tail call falls through to the next instruction
                            pc++;
                            break;
                        }
                        tailCount++;
                        long ctx = r[1];
                        DecodedProgram next = t.interpreted();
                        if (next != null && next.checked == p.checked) {
                            // the target replaces this program in this frame
                            p = next;
                            code = p.code;
                            hs = p.helpers;
                            st.program = p;
                            mg[frame] = ExecState.MAY_GOTO_BUDGET;
                            if (p.checked) {
                                st.checker.enterFrame(st, frame);
                            }
                            r[1] = ctx;
                            pc = 0;
                            break;
                        }
                        // the target runs elsewhere (native code): its r0 is this frame's return value
                        st.frameTop = frame + 1;
                        r[0] = t.run(st, ctx);
                    }
                    // fall through
                    case Op.EXIT: {
                        if (frame == base) {
                            return r[0];
                        }
                        frame--;
                        int s = frame << 2;
                        r[6] = sv[s];
                        r[7] = sv[s + 1];
                        r[8] = sv[s + 2];
                        r[9] = sv[s + 3];
                        r[10] += FRAME;
                        pc = st.retPc[frame];
                        DecodedProgram caller = st.retProg[frame];
                        st.retProg[frame] = null;
                        if (caller != p) {
                            p = caller;
                            code = p.code;
                            hs = p.helpers;
                            st.program = p;
                        }
                        break;
                    }

                    case Op.CHECKED_MEM: {
                        int memOp = p.checkedOps[pc];
                        st.checker.checkAccess(st, p, pc, memOp, w, r, frame, base);
                        MemoryOps.exec(memOp, r, w);
                        pc++;
                        break;
                    }
                    case Op.PROBE: {
                        ProbeDispatch d = p.probe((int) imm(w));
                        if (d != null) {
                            // observers are nested runs above this frame, as helpers' callbacks are
                            st.frameTop = frame + 1;
                            d.fire(st, r);
                        }
                        pc++;
                        break;
                    }
                    case Op.CHECKED_CALL:
                        st.frameTop = frame + 1;
                        r[0] = st.checker.call(st, p, pc, p.checkedOps[pc], w, r, frame, base);
                        pc++;
                        break;

                    default:
                        throw new IllegalStateException("slot " + pc + " holds no instruction (opcode " + op(w) + ")");
                }
            }
        } catch (BpfException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BpfException(Errno.EFAULT, p.describe(pc) + ": " + faultReason(e), e);
        }
    }

    private static String faultReason(RuntimeException e) {
        if (e instanceof IndexOutOfBoundsException) {
            return "memory access below 0x" + Long.toHexString(NativeMemory.FLOOR) + " or at a negative address";
        }
        String m = e.getMessage();
        if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("misaligned")) {
            return "misaligned atomic access (" + m + ")";
        }
        return e.toString();
    }

    // division and modulo with BPF's rules: x / 0 = 0, x % 0 = x; 32-bit forms zero-extend

    private static long udiv64(long a, long b) {
        return b == 0 ? 0 : Long.divideUnsigned(a, b);
    }

    private static long umod64(long a, long b) {
        return b == 0 ? a : Long.remainderUnsigned(a, b);
    }

    /** Long.MIN_VALUE / -1 is Long.MIN_VALUE in Java, as BPF wants. */
    private static long sdiv64(long a, long b) {
        return b == 0 ? 0 : a / b;
    }

    private static long smod64(long a, long b) {
        return b == 0 ? a : a % b;
    }

    private static long udiv32(long a, long b) {
        return (int) b == 0 ? 0 : Integer.divideUnsigned((int) a, (int) b) & M32;
    }

    private static long umod32(long a, long b) {
        return ((int) b == 0 ? (int) a : Integer.remainderUnsigned((int) a, (int) b)) & M32;
    }

    private static long sdiv32(long a, long b) {
        return (int) b == 0 ? 0 : ((int) a / (int) b) & M32;
    }

    private static long smod32(long a, long b) {
        return ((int) b == 0 ? (int) a : (int) a % (int) b) & M32;
    }

    /**
     * The legacy {@code LD_ABS}/{@code LD_IND} of socket filters: a big-endian load from the
     * packet of the socket buffer in r6 (the native layout of {@link ContextLayouts}) into r0.
     * Returns false when the bytes are outside the packet.
     */
    private static boolean legacyLoad(long[] r, long w) {
        int op = op(w);
        boolean ind = op >= Op.LDINDB;
        int size = switch (op) {
            case Op.LDABSB, Op.LDINDB -> 1;
            case Op.LDABSH, Op.LDINDH -> 2;
            default -> 4;
        };
        long skb = r[6];
        long data = NativeMemory.u64(skb + ContextLayouts.SKB_DATA);
        long end = NativeMemory.u64(skb + ContextLayouts.SKB_DATA_END);
        int offset = (int) (imm(w) + (ind ? r[src(w)] : 0));
        if (offset < 0 || data + offset + size > end) {
            return false;
        }
        long a = data + offset;
        r[0] = size == 1 ? NativeMemory.u8(a) : size == 2 ? NativeMemory.be16(a) : NativeMemory.be32(a);
        return true;
    }
}
