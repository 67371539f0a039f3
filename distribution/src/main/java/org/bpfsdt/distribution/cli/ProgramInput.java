package org.bpfsdt.distribution.cli;

import java.util.List;
import java.util.OptionalLong;

import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.isa.ConformanceCase;
import org.bpfsdt.api.isa.Insn;

/**
 * A program read from a file, with the memory and expected r0 the file gives (a conformance
 * file gives both; other formats neither).
 */
record ProgramInput(InputFormat format, List<Insn> insns, byte[] memory, OptionalLong expected) {
    ProgramInput {
        insns = List.copyOf(insns);
        memory = memory.clone();
    }

    /** How to run it on {@code engine}: a conformance file with the suite's conventions (helper 5 is the identity). */
    RawRunOptions options(String engine) {
        return format == InputFormat.DATA ? ConformanceCase.options(engine) : RawRunOptions.on(engine);
    }

    static ProgramInput of(InputFormat format, List<Insn> insns) {
        return new ProgramInput(format, insns, new byte[0], OptionalLong.empty());
    }
}
