package org.bpfsdt.api;

/**
 * The outcome of a test run.
 *
 * @param retval     the program's return value as {@code BPF_PROG_TEST_RUN} reports it: the low 32 bits of r0, unsigned
 * @param dataOut    the packet after the last run (its new length after head/tail adjustments), or empty
 * @param ctxOut     the context after the last run, as the program sees it, or empty
 * @param durationNs mean wall time per run in nanoseconds
 * @param engine     the engine that ran it
 */
public record TestRunResult(long retval, byte[] dataOut, byte[] ctxOut, long durationNs, String engine) {
}
