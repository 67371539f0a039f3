package org.bpfsdt.loader.sdt;

import org.bpfsdt.api.spi.InsnArrayValue;

/**
 * An SDT probe placed in a linked program: its note and the slot of its NOP in the program as
 * loaded (a probe of a {@code .text} subprogram sits where the linker appended that subprogram).
 *
 * @param note the probe
 * @param insn the NOP's instruction slot in the linked program
 */
public record LinkedProbe(SdtNote note, int insn) {
    /** The probe's entry in the program's INSN_ARRAY map with the SDT flag. */
    public InsnArrayValue value() {
        return InsnArrayValue.probe(insn, note.name(), note.protoId(), note.argRegs());
    }
}
