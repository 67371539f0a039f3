package org.bpfsdt.api.spi;

import java.util.List;

/**
 * One SDT probe site of a target program on the engine that runs the target now: what a link
 * needs to make the site call its observers (the kernel's {@code arch_prepare_bpf_trampoline}
 * and {@code bpf_arch_text_poke} for one probe). On a JIT the site is a patchable NOP in native
 * code and {@link #prepare} builds a trampoline with {@link JitCompiler#createTrampoline}; in
 * the interpreter the NOP looks the probe up in the program's probe table. Sites are equal when
 * they are the same probe of the same code.
 */
public interface SdtSite {
    /** The engine the site belongs to ({@code interpreter}, {@code x86_64}, ...). */
    String engine();

    /** The probe. */
    SdtProbe probe();

    /** The NOP's native address when the engine runs native code on this host, else 0 (the seed's {@code probe_ip}). */
    long address();

    /**
     * Builds what the site calls to run {@code observers}, in this order, with the probe's
     * arguments stored as u64s extended as {@code model} says. Each observer must be an SDT
     * observer loaded against this probe. Attaching nothing, it changes no running code.
     */
    Trampoline prepare(FuncModel model, List<ProgramRef> observers);

    /**
     * Makes the NOP call {@code trampoline} (made by {@link #prepare} of an equal site),
     * atomically for threads running the target: each run executes the old code or the new,
     * never a mix. Replaces whatever the site called before.
     */
    void attach(Trampoline trampoline);

    /** Restores the NOP, atomically for running threads. */
    void detach();
}
