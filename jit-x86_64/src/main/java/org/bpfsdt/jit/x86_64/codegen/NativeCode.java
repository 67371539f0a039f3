package org.bpfsdt.jit.x86_64.codegen;

import java.util.List;

/**
 * Generated machine code, position independent, with where things are in it.
 *
 * <p>Layout: the entry at offset 0 is a System V function {@code long f(long r1, long r2, long r3,
 * long r4, long r5)} that sets up the tail call budget and calls the main function, which starts
 * at {@link #BODY_OFFSET} (where tail calls enter); then the other functions; then the batch
 * entry {@code long batch(long ctx, long repeat)}, the {@code bpf_loop} stub and probe thunks.
 * Data follows the code from {@code dataOffset}: thunk targets, the callx table, constants.
 *
 * @param code              the bytes
 * @param slotOffsets       native offset of each BPF slot's code ({@code -1} for an LDDW's second slot)
 * @param functionOffsets   native offset of each function
 * @param functionNames     each function's name ({@code ""} when unknown)
 * @param probeOffsets      native offset of each probe's 5-byte NOP, by probe index ({@code -1}: no site)
 * @param probeThunkOffsets native offset of each probe's far-jump thunk ({@code -1}: no site)
 * @param probeThunkTargets offset of the aligned 8-byte word each thunk jumps through ({@code -1}: no site)
 * @param probeStackAligned whether rsp is 16-aligned at each probe's site (else it is 8 bytes off)
 * @param batchOffset       native offset of the batch entry
 * @param bpfLoopOffset     native offset of the {@code bpf_loop} stub, or {@code -1}
 * @param dataOffset        where data starts: everything before it is instructions
 * @param mayUpcall         whether a run may call into Java (helpers, tail calls, probe observers)
 * @param passes            code generation passes until every jump had its size
 */
public record NativeCode(byte[] code, int[] slotOffsets, int[] functionOffsets, List<String> functionNames, int[] probeOffsets, int[] probeThunkOffsets,
                         int[] probeThunkTargets, boolean[] probeStackAligned, int batchOffset, int bpfLoopOffset, int dataOffset, boolean mayUpcall,
                         int passes) {
    /** Where the main function starts: the entry of a tail call. */
    public static final int BODY_OFFSET = 16;
    /** Bytes of a probe site's NOP (and of the {@code call rel32} replacing it). */
    public static final int PROBE_SITE_SIZE = 5;
}
