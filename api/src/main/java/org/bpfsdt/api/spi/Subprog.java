package org.bpfsdt.api.spi;

/**
 * A function of a program: the main program (index 0) or a bpf-to-bpf callee.
 *
 * @param start     first instruction slot
 * @param end       one past its last slot
 * @param stackDepth bytes of stack it uses (rounded to 8; at most 512)
 * @param name      its name from BTF func_info, or {@code ""}
 */
public record Subprog(int start, int end, int stackDepth, String name) {
}
