package org.bpfsdt.jit.x86_64.image;

import org.bpfsdt.api.spi.Trampoline;
import org.bpfsdt.jit.x86_64.memory.CodeBlock;

/** A probe trampoline's mapped code. */
public final class X86Trampoline implements Trampoline {
    private final CodeBlock block;
    private final byte[] code;

    public X86Trampoline(CodeBlock block, byte[] code) {
        this.block = block;
        this.code = code.clone();
    }

    @Override
    public long address() {
        return block.address();
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
