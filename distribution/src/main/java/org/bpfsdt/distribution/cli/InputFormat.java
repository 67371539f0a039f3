package org.bpfsdt.distribution.cli;

import java.util.Locale;
import java.util.Optional;

/** How a program file given to {@code bpfsdt run} is written. */
enum InputFormat {
    /** Assembly in the conformance suite's syntax ({@link org.bpfsdt.api.isa.Assembler}). */
    ASM("asm", "s"),
    /** Raw instructions: 8-byte little-endian slots, as in an object file's code section. */
    RAW("bin", "raw"),
    /** Instructions as 64-bit words in hex, one per token ({@code 0x0000002a000000b7}), as a {@code -- raw} section writes them. */
    HEX("hex"),
    /** A conformance suite file: the program, its memory and the r0 it must return. */
    DATA("data");

    private final String[] extensions;

    InputFormat(String... extensions) {
        this.extensions = extensions;
    }

    /** The format a file name's extension says, if it says one. */
    static Optional<InputFormat> byExtension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        for (InputFormat f : values()) {
            for (String e : f.extensions) {
                if (e.equals(ext)) {
                    return Optional.of(f);
                }
            }
        }
        return Optional.empty();
    }
}
