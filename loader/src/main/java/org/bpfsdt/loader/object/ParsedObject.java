package org.bpfsdt.loader.object;

import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.loader.btf.BtfExt;
import org.bpfsdt.loader.elf.ElfFile;
import org.bpfsdt.loader.sdt.SdtNote;

/**
 * A BPF object after parsing and validation, before anything is linked or loaded.
 *
 * @param elf        the ELF file (the SDT notes and other later readers use its sections and relocations)
 * @param name       object name (the file name up to its first dot, as libbpf names objects)
 * @param license    the {@code license} section's string ({@code ""} when absent)
 * @param btf        the object's BTF, or {@code null}
 * @param btfExt     its BTF.ext (empty when absent)
 * @param programs   program entries, in section then offset order
 * @param subprograms the functions of {@code .text}
 * @param maps       maps: {@code .maps} entries first, then global data sections, as libbpf orders them
 * @param globals    global variables of the data sections
 * @param sdtNotes   the SDT probes of {@code .bpf_sdt_notes}, in notes order
 * @param notes      things the loader ignored on purpose, for the report
 */
public record ParsedObject(ElfFile elf, String name, String license, Btf btf, BtfExt btfExt,
                           List<CodeFunction> programs, List<CodeFunction> subprograms, List<MapDefinition> maps,
                           List<GlobalVar> globals, List<SdtNote> sdtNotes, List<String> notes) {
    public ParsedObject {
        programs = List.copyOf(programs);
        subprograms = List.copyOf(subprograms);
        maps = List.copyOf(maps);
        globals = List.copyOf(globals);
        sdtNotes = List.copyOf(sdtNotes);
        notes = List.copyOf(notes);
    }

    public String fileName() {
        return elf.fileName();
    }

    /** The {@code .text} function starting at slot {@code slot}. */
    public Optional<CodeFunction> subprogramAt(int slot) {
        return subprograms.stream().filter(f -> f.sectionInsn() == slot).findFirst();
    }
}
