package org.bpfsdt.jit.x86_64.image;

import org.bpfsdt.jit.x86_64.asm.X86Assembler;
import org.bpfsdt.jit.x86_64.codegen.NativeCode;
import org.bpfsdt.jit.x86_64.memory.CodeBlock;
import org.bpfsdt.jit.x86_64.memory.CodeSpace;

/**
 * Turns probe sites into calls and back. A site's 5 bytes lie inside one aligned 8-byte word, so
 * one atomic store of that word switches between the NOP and {@code call rel32}: a thread running
 * the code executes one or the other, never a torn instruction. A trampoline beyond {@code rel32}
 * reach is called through the site's thunk, whose target word is written before the call is.
 */
final class ProbePatcher {
    private static final int CALL_REL32 = 0xe8;

    private final CodeBlock block;
    private final NativeCode code;

    ProbePatcher(CodeBlock block, NativeCode code) {
        this.block = block;
        this.code = code;
    }

    synchronized void attach(int index, long trampoline) {
        int site = code.probeOffsets()[index];
        long next = block.address() + site + NativeCode.PROBE_SITE_SIZE;
        long target = trampoline;
        if (!CodeSpace.withinRel32(next, target)) {
            block.storeLong(code.probeThunkTargets()[index], trampoline);
            target = block.address() + code.probeThunkOffsets()[index];
        }
        int rel = Math.toIntExact(target - next);
        byte[] call = {(byte) CALL_REL32, (byte) rel, (byte) (rel >>> 8), (byte) (rel >>> 16), (byte) (rel >>> 24)};
        write(site, call);
    }

    synchronized void detach(int index) {
        write(code.probeOffsets()[index], X86Assembler.NOP5);
    }

    /** Replaces the 5 bytes at {@code site} by rewriting the aligned word around them in one store. */
    private void write(int site, byte[] bytes) {
        int word = site & ~7;
        int shift = (site - word) * 8;
        long mask = 0xff_ffff_ffffL << shift;
        long value = 0;
        for (int i = 0; i < bytes.length; i++) {
            value |= (bytes[i] & 0xffL) << (8 * i);
        }
        long old = block.loadLong(word);
        block.storeLong(word, (old & ~mask) | (value << shift));
    }
}
