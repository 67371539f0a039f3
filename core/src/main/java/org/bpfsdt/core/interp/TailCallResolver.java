package org.bpfsdt.core.interp;

/**
 * Finds the target of {@code bpf_tail_call(ctx, map, index)}: the runtime reads the PROG_ARRAY
 * map's native table (see {@link org.bpfsdt.api.spi.RuntimeLinkage}) and returns the program in
 * the slot. The interpreter counts tail calls and stops at the kernel's limit.
 */
@FunctionalInterface
public interface TailCallResolver {
    /** The program in slot {@code index} of the PROG_ARRAY map at {@code mapAddress}; {@code null} when the slot is empty, out of range, or the map is no PROG_ARRAY. */
    CallTarget resolve(long mapAddress, long index);

    TailCallResolver NONE = (map, index) -> null;
}
