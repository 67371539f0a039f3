package org.bpfsdt.api.btf;

/** BTF.ext line_info: instruction {@code insnOff} comes from {@code file}:{@code line}:{@code column}, whose text is {@code source}. */
public record LineInfo(int insnOff, String file, String source, int line, int column) {

    /** {@code ; file:line} as llvm-objdump prints it. */
    public String location() {
        return file + ":" + line;
    }

    /** {@code ; source text @ file.c:12} (the file without its directory), as the kernel's verifier log and bpftool print a source line. */
    public String comment() {
        int slash = file.lastIndexOf('/');
        return "; " + source.strip() + " @ " + file.substring(slash + 1) + ":" + line;
    }

    /** This line moved to instruction {@code off} (after a rewrite of the program). */
    public LineInfo at(int off) {
        return new LineInfo(off, file, source, line, column);
    }
}
