package org.bpfsdt.api.spi;

/**
 * What the verifier proved about one xlated instruction, for the engines.
 *
 * @param origIndex       the slot this instruction came from in the loaded program, or -1 if inserted
 * @param seen            reached on some path
 * @param divisorNonZero  a division or modulo whose divisor is never zero, as the operation sees it: for a
 *                        32-bit operation, the low 32 bits of the source register (engines skip the zero check)
 * @param mapIndex        for an LDDW that loads a map pointer or map value address, or a helper call whose map argument is constant: the map's index in the request, else -1
 * @param probeIndex      the SDT probe whose NOP this is, else -1
 */
public record InsnAux(int origIndex, boolean seen, boolean divisorNonZero, int mapIndex, int probeIndex) {
    public static InsnAux plain(int origIndex) {
        return new InsnAux(origIndex, true, false, -1, -1);
    }
}
