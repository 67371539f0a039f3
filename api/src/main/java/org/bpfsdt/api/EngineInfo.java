package org.bpfsdt.api;

/**
 * An execution engine: the interpreter, or a JIT service.
 *
 * @param name         {@code interpreter} or the JIT's architecture ({@code x86_64}, {@code arm64}, {@code riscv64})
 * @param architecture the instruction set it emits, or {@code bpf} for the interpreter
 * @param ranking      the service ranking (the interpreter ranks below every JIT)
 * @param hostNative   whether its code runs on this host
 * @param sdtProbes    whether it supports SDT probe sites
 */
public record EngineInfo(String name, String architecture, int ranking, boolean hostNative, boolean sdtProbes) {
    public static final String INTERPRETER = "interpreter";
}
