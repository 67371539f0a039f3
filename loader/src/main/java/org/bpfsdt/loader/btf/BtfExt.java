package org.bpfsdt.loader.btf;

import java.util.List;
import java.util.Map;

/**
 * The contents of {@code .BTF.ext}, grouped by the code section they describe. Instruction
 * offsets are instruction indices (slots) within that section.
 *
 * @param funcInfo  {@code bpf_func_info} records per section
 * @param lineInfo  {@code bpf_line_info} records per section, with resolved file names and source text
 * @param coreRelos {@code bpf_core_relo} records per section
 */
public record BtfExt(Map<String, List<FuncRecord>> funcInfo, Map<String, List<LineRecord>> lineInfo,
                     Map<String, List<CoreRelo>> coreRelos) {

    public static final BtfExt EMPTY = new BtfExt(Map.of(), Map.of(), Map.of());

    public BtfExt {
        funcInfo = Map.copyOf(funcInfo);
        lineInfo = Map.copyOf(lineInfo);
        coreRelos = Map.copyOf(coreRelos);
    }

    /** The subprogram starting at section instruction {@code insn} has BTF FUNC {@code typeId}. */
    public record FuncRecord(int insn, int typeId) {
    }

    /** Section instruction {@code insn} comes from {@code file}:{@code line}:{@code column} (source text {@code source}). */
    public record LineRecord(int insn, String file, String source, int line, int column) {
    }

    /**
     * A CO-RE relocation of section instruction {@code insn}.
     *
     * @param insn   instruction index in the section
     * @param typeId the local root type
     * @param access the access string ({@code "0:1:2"})
     * @param kind   what to compute
     */
    public record CoreRelo(int insn, int typeId, String access, CoreReloKind kind) {
    }
}
