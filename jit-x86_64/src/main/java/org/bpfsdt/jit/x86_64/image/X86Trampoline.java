package org.bpfsdt.jit.x86_64.image;

import org.bpfsdt.api.spi.Trampoline;
import org.bpfsdt.jit.x86_64.memory.CodeBlock;

/** A probe trampoline's mapped code, with an entry for sites on an aligned stack and one for sites 8 bytes off. */
public final class X86Trampoline implements Trampoline {
    private final CodeBlock block;
    private final byte[] code;
    private final int unalignedEntry;

    public X86Trampoline(CodeBlock block, byte[] code, int unalignedEntry) {
        this.block = block;
        this.code = code.clone();
        this.unalignedEntry = unalignedEntry;
    }

    /** The entry for sites on a 16-aligned stack. */
    @Override
    public long address() {
        return block.address();
    }

    /** Where a site calls it: {@code stackAligned} when rsp is 16-aligned at the site, else 8 bytes off. */
    public long entry(boolean stackAligned) {
        return block.address() + (stackAligned ? 0 : unalignedEntry);
    }

    /** A copy of its machine code. */
    public byte[] code() {
        return code.clone();
    }

    @Override
    public void close() {
        block.close();
    }
}
