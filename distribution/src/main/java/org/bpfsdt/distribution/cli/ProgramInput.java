package org.bpfsdt.distribution.cli;

import java.util.List;
import java.util.OptionalLong;

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

    static ProgramInput of(InputFormat format, List<Insn> insns) {
        return new ProgramInput(format, insns, new byte[0], OptionalLong.empty());
    }
}
