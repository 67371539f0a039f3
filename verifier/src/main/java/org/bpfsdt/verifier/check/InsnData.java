package org.bpfsdt.verifier.check;

import org.bpfsdt.api.spi.ContextLayout;
import org.bpfsdt.verifier.domain.RegType;

/**
 * What the verifier learns about one loaded instruction over all paths (the kernel's
 * {@code bpf_insn_aux_data}): what the rewrites and the engines need afterwards.
 */
public final class InsnData {
    /** Reached on some path. */
    public boolean seen;
    /** For memory instructions: the pointer type they access; {@code null} until seen. */
    public RegType ptrType;
    /** Context accesses: the field, and the access size. */
    public ContextLayout.Field ctxField;
    public int ctxSize;
    /** Map loads, and helper calls whose map argument is constant: the map's index; -2 when paths disagree. */
    public int mapIndex = -1;
    /** Divisions: visited, and whether every visit saw a divisor that cannot be zero. */
    public boolean divVisited, divNonZero = true;
    /** Conditional jumps: the branch was taken / fell through on some path. */
    public boolean taken, fallthrough;
}
