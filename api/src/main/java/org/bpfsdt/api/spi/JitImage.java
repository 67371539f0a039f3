package org.bpfsdt.api.spi;

import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * A compiled program. Its code stays mapped until {@link #close()}, which the runtime calls
 * only once no run can still be inside it.
 */
public interface JitImage extends AutoCloseable {
    String architecture();

    /** A copy of the machine code. */
    byte[] code();

    /** The native offset of each BPF slot's code ({@code -1} for the second slot of an LDDW), for listings and probes. */
    int[] slotOffsets();

    /** Address of the code when it runs on this host, else 0. */
    long address();

    /** {@code (long ctx) -> long r0}; only for images that run on this host. */
    MethodHandle entry();

    /**
     * {@code (long r1, long r2) -> long r0}: the entry for unverified raw runs, where r2 holds the
     * length of the memory in r1 (the conformance suite's convention). The default ignores r2;
     * back ends override it to pass r2 through.
     */
    default MethodHandle rawEntry() {
        return java.lang.invoke.MethodHandles.dropArguments(entry(), 1, long.class);
    }

    /** {@code (long ctx, long repeat) -> long r0 of the last run}: loops inside native code, as the kernel's test run does. */
    MethodHandle batchEntry();

    /** Native address of the entry (the descriptor's {@code entry}, for tail calls and trampolines). */
    long entryAddress();

    /** The probe sites, in the order of the request's probes, with their native addresses. */
    List<ProbeSite> probeSites();

    /** Patches site {@code index} into a call of {@code trampoline}, atomically for threads running this code. */
    default void attachProbe(int index, Trampoline trampoline) {
        throw new org.bpfsdt.api.BpfException(org.bpfsdt.api.Errno.ENOTSUPP, architecture() + " images have no patchable probe sites");
    }

    /** Restores site {@code index} to its NOP. */
    default void detachProbe(int index) {
        throw new org.bpfsdt.api.BpfException(org.bpfsdt.api.Errno.ENOTSUPP, architecture() + " images have no patchable probe sites");
    }

    /**
     * The listing of {@code bpfsdt prog dump jited}: the native code beside {@code xlated}, the
     * instructions it was compiled from, with {@code annotation}'s text (source lines, function
     * names) above a slot where it gives any. Back ends label their entries, stubs and data.
     */
    default String listing(List<org.bpfsdt.api.isa.Insn> xlated, java.util.function.IntFunction<String> annotation) {
        return JitListing.format(this, xlated, annotation, List.of());
    }

    @Override
    void close();
}
