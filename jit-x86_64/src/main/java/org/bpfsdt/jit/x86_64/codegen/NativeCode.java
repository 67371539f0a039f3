package org.bpfsdt.jit.x86_64.codegen;

/**
 * Generated machine code, position independent, with where things are in it.
 *
 * <p>Layout: the entry at offset 0 is a System V function {@code long f(long r1, long r2, long r3,
 * long r4, long r5)} that sets up the tail call budget and calls the main function, which starts
 * at {@link #BODY_OFFSET} (where tail calls enter); then the other functions; then the batch
 * entry {@code long batch(long ctx, long repeat)}, shared stubs, probe thunks and constants.
 *
 * @param code              the bytes
 * @param slotOffsets       native offset of each BPF slot's code ({@code -1} for an LDDW's second slot)
 * @param functionOffsets   native offset of each function
 * @param probeOffsets      native offset of each probe's 5-byte NOP, by probe index ({@code -1}: no site)
 * @param probeThunkOffsets native offset of each probe's far-jump thunk ({@code -1}: no site); its
 *                          8-byte target slot follows the 8 bytes of the jump
 * @param batchOffset       native offset of the batch entry
 * @param mayUpcall         whether a run may call into Java (helpers, tail calls, probe observers)
 * @param passes            code generation passes until every jump had its size
 */
public record NativeCode(byte[] code, int[] slotOffsets, int[] functionOffsets, int[] probeOffsets, int[] probeThunkOffsets,
                         int batchOffset, boolean mayUpcall, int passes) {
    /** Where the main function starts: the entry of a tail call. */
    public static final int BODY_OFFSET = 16;
    /** Offset of a thunk's target address from the thunk. */
    public static final int THUNK_TARGET_OFFSET = 8;
    /** Bytes of a probe site's NOP (and of the {@code call rel32} replacing it). */
    public static final int PROBE_SITE_SIZE = 5;
}
