package org.bpfsdt.verifier.domain;

/**
 * An acquired reference the program must release on every path: a ring buffer record
 * ({@code bpf_ringbuf_reserve}) or a held spin lock.
 *
 * @param id      the reference id (registers holding it carry it as {@code refObjId}, locks as {@code id})
 * @param insnIdx the instruction that acquired it
 * @param lock    whether it is a spin lock
 */
public record RefState(int id, int insnIdx, boolean lock) {
}
