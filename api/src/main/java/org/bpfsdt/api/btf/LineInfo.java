package org.bpfsdt.api.btf;

/** BTF.ext line_info: instruction {@code insnOff} comes from {@code file}:{@code line}:{@code column}, whose text is {@code source}. */
public record LineInfo(int insnOff, String file, String source, int line, int column) {

    /** {@code ; file:line} as llvm-objdump prints it. */
    public String location() {
        return file + ":" + line;
    }
}
