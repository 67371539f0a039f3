package org.bpfsdt.api;

/** The outcome of an unverified run: r0, the memory after the run, and which engine ran it. */
public record RawRunResult(long r0, byte[] memAfter, String engine) {
}
