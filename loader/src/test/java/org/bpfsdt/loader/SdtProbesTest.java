package org.bpfsdt.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.api.spi.InsnArrayValue;
import org.bpfsdt.loader.elf.ElfRelocation;
import org.bpfsdt.loader.elf.ElfSection;
import org.bpfsdt.loader.elf.ElfSymbol;
import org.junit.jupiter.api.Test;

/**
 * SDT probes of real objects: {@code .bpf_sdt_notes} read into probes with their types,
 * registers and sites, each target program loaded with its INSN_ARRAY map with the SDT flag,
 * the RFC header's expansion read the same as ours, and malformed notes refused with a reason.
 */
class SdtProbesTest {

    private static boolean isNop(Insn i) {
        return i.equals(Insn.ja(0));
    }

    @Test
    void readArgsHasOneProbeWithTwoIntArguments() {
        ObjectFile obj = TestObjects.open("sdt_read_args.o");
        ObjectSdtProbe p = obj.sdtProbe("probe_len_ret");
        assertEquals(List.of(p.name()), obj.sdtProbes().stream().map(ObjectSdtProbe::name).toList());
        assertEquals(List.of("int", "int"), p.argTypes());
        assertEquals("probe_len_ret(int, int)", p.declaration());
        assertArrayEquals(new int[] {1, 2}, p.argRegs(), "len is in r1, XDP_PASS in r2 at the NOP");
        assertEquals("xdp", p.section());
        assertEquals(4, p.sectionInsn());
        FuncModel m = p.model();
        assertArrayEquals(new int[] {4, 4}, m.argSize());
        assertArrayEquals(new boolean[] {true, true}, m.argSigned());
        assertEquals(List.of(new ObjectSdtProbe.Site("read_args", 4)), p.sites());
        assertEquals(Map.of("probe_len_ret", 4), obj.program("read_args").sdtProbes());
        assertTrue(isNop(obj.program("read_args").instructions().get(4)));
        assertTrue(obj.report().contains("sdt probes:\n  probe_len_ret(int, int)  args r1,r2  nop xdp+4  in read_args@4\n"), obj.report());
        assertTrue(obj.report().contains("read_args  section xdp  type XDP  attach XDP  insns 7  sdt probe_len_ret\n"), obj.report());
    }

    @Test
    void aProbeInASubprogramBelongsToTheProgramItIsAppendedTo() {
        ObjectFile obj = TestObjects.open("sdt_subprog_probe.o");
        ObjectSdtProbe p = obj.sdtProbe("probe_ctx");
        assertEquals(List.of("struct xdp_md *"), p.argTypes());
        assertArrayEquals(new int[] {1}, p.argRegs());
        assertEquals(".text", p.section());
        ObjectProgram target = obj.program("subprog_target");
        assertEquals(List.of("check_len"), target.subprograms());
        int appendedAt = 8; // subprog_target's own 8 slots, then check_len
        int site = appendedAt + p.sectionInsn();
        assertEquals(List.of(new ObjectSdtProbe.Site("subprog_target", site)), p.sites());
        assertTrue(isNop(target.instructions().get(site)), target.disassembly());
        FuncModel m = p.model();
        assertArrayEquals(new int[] {8}, m.argSize());
        assertArrayEquals(new boolean[] {false}, m.argSigned(), "pointers are unsigned");
    }

    @Test
    void probesOfSeveralProgramsAndAZeroArgumentProbe() {
        ObjectFile obj = TestObjects.open("sdt_multi_prog.o");
        assertEquals(Map.of("xdp_len", 3), obj.program("xdp_target").sdtProbes());
        assertEquals(Map.of("tc_hit", 0), obj.program("tc_target").sdtProbes());
        ObjectSdtProbe tc = obj.sdtProbe("tc_hit");
        assertEquals(0, tc.argCount());
        assertEquals("tc_hit()", tc.declaration());
        assertArrayEquals(new boolean[] {false}, obj.sdtProbe("xdp_len").model().argSigned(), "__u32 is unsigned");
    }

    @Test
    void notesInOtherShapesReadTheSame() {
        ObjectFile obj = TestObjects.open("sdt_layout_variants.o");
        assertEquals(ElfSection.SHF_ALLOC, obj.parsed().elf().section(".bpf_sdt_notes").orElseThrow().flags(), "allocated notes section");
        ObjectSdtProbe pair = obj.sdtProbe("pair");
        assertArrayEquals(new int[] {6, 6}, pair.argRegs(), "one register for both arguments");
        assertEquals(List.of("__u64", "__u64"), pair.argTypes());
        ObjectSdtProbe first = obj.sdtProbe("first");
        assertArrayEquals(new int[] {0}, first.argRegs(), "an argument in r0");
        assertArrayEquals(new int[] {1}, first.model().argSize());
        ObjectProgram variants = obj.program("variants");
        assertEquals(2, variants.sdtProbes().size());
        variants.sdtProbes().values().forEach(at -> assertTrue(isNop(variants.instructions().get(at))));
        assertTrue(variants.sdtProbes().get("first") > variants.sdtProbes().get("pair"), "the subprogram's probe comes after the program's code");
    }

    /** The labels' order in the symbol table is the assembler's business: entries are read in offset order. */
    @Test
    void labelsInAnotherSymbolOrderReadTheSame() {
        ObjectBytes o = new ObjectBytes("sdt_layout_variants.o");
        int a = symbolEntry(o, label(o, "pair").index()), b = symbolEntry(o, label(o, "first").index());
        byte[] first = java.util.Arrays.copyOfRange(o.bytes, a, a + 24);
        System.arraycopy(o.bytes, b, o.bytes, a, 24);
        System.arraycopy(first, 0, o.bytes, b, 24);
        ObjectFile swapped = ObjectFile.open(o.bytes, "sdt_layout_variants.o");
        assertTrue(swapped.parsed().elf().symbols().indexOf(label(swapped.parsed().elf(), "first"))
                < swapped.parsed().elf().symbols().indexOf(label(swapped.parsed().elf(), "pair")), "first now comes first");
        ObjectFile original = TestObjects.open("sdt_layout_variants.o");
        assertEquals(original.sdtProbes().stream().map(ObjectSdtProbe::name).toList(), swapped.sdtProbes().stream().map(ObjectSdtProbe::name).toList());
        assertEquals(original.program("variants").sdtProbes(), swapped.program("variants").sdtProbes());
        for (ObjectSdtProbe p : original.sdtProbes()) {
            assertEquals(p.model(), swapped.sdtProbe(p.name()).model());
        }
    }

    @Test
    void theRfcHeadersExpansionLoadsTheSameAsOurs() {
        ObjectFile ours = TestObjects.open("sdt_read_args.o");
        ObjectFile upstream = TestObjects.open("sdt_upstream_read_args.o");
        ObjectSdtProbe a = ours.sdtProbe("probe_len_ret"), b = upstream.sdtProbe("probe_len_ret");
        assertEquals(a.declaration(), b.declaration());
        assertArrayEquals(a.argRegs(), b.argRegs());
        assertEquals(a.sites(), b.sites());
        assertEquals(a.model(), b.model());
        assertEquals(ours.program("read_args").instructions(), upstream.program("read_args").instructions());

        RecordingRuntime r1 = new RecordingRuntime(), r2 = new RecordingRuntime();
        try (LoadedObject l1 = ours.load(r1); LoadedObject l2 = upstream.load(r2)) {
            assertArrayEquals(sdtEntry(r1), sdtEntry(r2), "the same INSN_ARRAY entry");
            assertEquals(r1.calls, r2.calls);
        }
    }

    private static byte[] sdtEntry(RecordingRuntime rt) {
        return rt.mapNamed("read_args.sdt").lookup(new byte[4]).orElseThrow();
    }

    @Test
    void aTargetIsLoadedWithItsFrozenSdtMap() {
        RecordingRuntime rt = new RecordingRuntime();
        ObjectFile obj = TestObjects.open("sdt_read_args.o");
        try (LoadedObject loaded = obj.load(rt)) {
            MapSpec spec = rt.mapSpecs.stream().filter(s -> s.type() == MapType.INSN_ARRAY).findFirst().orElseThrow();
            assertEquals("read_args.sdt", spec.name());
            assertEquals(4, spec.keySize());
            assertEquals(InsnArrayValue.SDT_SIZE, spec.valueSize());
            assertEquals(1, spec.maxEntries());
            assertEquals(MapFlags.INSN_ARRAY_SDT, spec.flags());
            RecordingRuntime.Map_ map = rt.mapNamed("read_args.sdt");
            assertTrue(map.isFrozen(), "bound maps must be frozen");
            int proto = obj.sdtProbe("probe_len_ret").btfId();
            assertArrayEquals(InsnArrayValue.probe(4, "probe_len_ret", proto, 1, 2).encode(true), map.lookup(new byte[4]).orElseThrow());
            ProgSpec prog = rt.progSpec("read_args");
            assertNotNull(prog.sdtMap());
            assertEquals(map.id(), prog.sdtMap().id());
            assertTrue(prog.maps().stream().noneMatch(m -> m.type() == MapType.INSN_ARRAY), "the SDT map is not in the fd_array");
            assertEquals("INSN_ARRAY", String.valueOf(loaded.map("read_args.sdt").type()));
            assertTrue(obj.btf().orElseThrow().type(proto) instanceof org.bpfsdt.api.btf.BtfType.FuncProto);
        }
        assertEquals(0, rt.openHandles());
    }

    @Test
    void programsWithoutProbesGetNoSdtMap() {
        RecordingRuntime rt = new RecordingRuntime();
        try (LoadedObject loaded = TestObjects.open("sdt_multi_prog.o").load(rt)) {
            assertEquals(2, rt.mapSpecs.stream().filter(s -> s.type() == MapType.INSN_ARRAY).count(), "one per target program");
        }
        rt = new RecordingRuntime();
        try (LoadedObject loaded = TestObjects.open("map_array.o").load(rt)) {
            assertNull(rt.progSpec("array_ops").sdtMap());
        }
    }

    @Test
    void aFailedSdtMapLeavesNothingOpen() {
        for (String op : List.of("update", "freeze")) {
            // the .bss map takes the first update; the SDT map's update and freeze come next
            RecordingRuntime rt = new RecordingRuntime().failOn(op, op.equals("update") ? 2 : 1);
            BpfException e = assertThrows(BpfException.class, () -> TestObjects.open("sdt_live.o").load(rt));
            assertTrue(e.reason().contains("program 'live_target': its SDT probe map"), e.reason());
            assertEquals(0, rt.openHandles(), op);
        }
    }

    @Test
    void observersKnowTheirProbeFromTheSection() {
        ObjectFile obj = TestObjects.open("sdt_read_args_obs.o");
        ObjectProgram obs = obj.program("obs_read_args");
        assertEquals(ProgramType.TRACING, obs.type());
        assertEquals(AttachType.TRACE_SDT, obs.attachType());
        assertEquals("probe_len_ret", obs.attachTarget());
        assertTrue(obj.sdtProbes().isEmpty());
    }

    @Test
    void sdtMapNamesFitTheRuntimesLimit() {
        assertEquals("read_args.sdt", ObjectLoader.sdtMapName("read_args"));
        assertEquals("a_very_long.sdt", ObjectLoader.sdtMapName("a_very_long_program_name"));
        assertTrue(ObjectLoader.sdtMapName("a_very_long_program_name").length() <= MapSpec.MAX_NAME_LEN);
    }

    // ---- malformed ----------------------------------------------------------------------------------

    private static BpfException refused(String testprog) {
        BpfException e = assertThrows(BpfException.class, () -> TestObjects.open(testprog));
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        return e;
    }

    private static void assertReason(BpfException e, String... fragments) {
        for (String f : fragments) {
            assertTrue(e.reason().contains(f), "'" + f + "' in: " + e.reason());
        }
    }

    @Test
    void aProbeWithoutItsBtfDeclaration() {
        assertReason(refused("malformed/sdt_no_decl.o"), "sdt_no_decl.o: section '.bpf_sdt_notes': probe 'orphan' has no BTF declaration",
                "\"bpf_sdt:orphan:0\"", "BPF_SDT_DECLARE0");
    }

    @Test
    void moreThanFiveArguments() {
        assertReason(refused("malformed/sdt_six_args.o"), "probe 'six' records 6 argument registers; a probe takes at most 5");
    }

    @Test
    void aDeclarationThatDoesNotMatchTheSite() {
        assertReason(refused("malformed/sdt_count_mismatch.o"),
                "probe 'mismatch' is declared with 2 arguments (\"bpf_sdt:mismatch:2\") but its site records 1");
    }

    @Test
    void aNopOffsetThatIsNotGotoZero() {
        assertReason(refused("malformed/sdt_not_nop.o"), "probe 'not_nop': instruction 0 of section 'xdp' is 'r0 = 0",
                "not the probe's 'goto +0'");
    }

    @Test
    void aProbeDeclaredTwice() {
        assertReason(refused("malformed/sdt_dup_decl.o"), "DECL_TAG \"bpf_sdt:dup:0\"", "probe 'dup' is declared twice");
    }

    /** sdt_multi_prog.o with the label of its second probe renamed to the first's name. */
    @Test
    void aDuplicateProbeName() {
        ObjectBytes o = new ObjectBytes("sdt_multi_prog.o");
        int xdpName = o.u32(symbolEntry(o, label(o, "xdp_len").index()));
        o.u32(symbolEntry(o, label(o, "tc_hit").index()), xdpName);
        assertReason(refusedBytes(o), "probe name 'xdp_len' is defined twice");
    }

    @Test
    void corruptedNotes() {
        ObjectBytes type = new ObjectBytes("sdt_read_args.o");
        ElfSection rel = type.section(".rel.bpf_sdt_notes");
        type.u32(rel.offset() + 8, ElfRelocation.R_BPF_64_ABS32);
        assertReason(refusedBytes(type), "probe 'probe_len_ret': its offset word needs an R_BPF_64_ABS64 relocation, not R_BPF_64_ABS32");

        ObjectBytes mov = new ObjectBytes("sdt_read_args.o");
        long notes = mov.section(".bpf_sdt_notes").offset();
        mov.u8(notes + 8 + 1, 0x33); // the first record becomes "r3 = r3"
        assertReason(refusedBytes(mov), "the record of argument 1 is 'r3 = r3', not 'r1 = rN'");

        ObjectBytes off = new ObjectBytes("sdt_read_args.o");
        off.u64(off.section(".bpf_sdt_notes").offset(), 4);
        assertReason(refusedBytes(off), "NOP offset 4 is not an instruction of section 'xdp'");

        ObjectBytes moved = new ObjectBytes("sdt_read_args.o");
        moved.u64(moved.section(".bpf_sdt_notes").offset(), 8);
        assertReason(refusedBytes(moved), "instruction 1 of section 'xdp' is 'r1 = *(u32 *)(r1 + 0x4)', not the probe's 'goto +0'");

        ObjectBytes label = new ObjectBytes("sdt_read_args.o");
        label.u64(symbolEntry(label, label(label, "probe_len_ret").index()) + 8, 8);
        assertReason(refusedBytes(label), ".bpf_sdt_notes' is malformed: bytes 0..8 belong to no probe");
    }

    private static BpfException refusedBytes(ObjectBytes o) {
        BpfException e = assertThrows(BpfException.class, () -> ObjectFile.open(o.bytes, o.elf.fileName()));
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        assertTrue(e.reason().startsWith(o.elf.fileName()), e.reason());
        return e;
    }

    private static ElfSymbol label(ObjectBytes o, String probe) {
        return label(o.elf, probe);
    }

    private static ElfSymbol label(org.bpfsdt.loader.elf.ElfFile elf, String probe) {
        return elf.symbols().stream().filter(s -> s.name().equals("___sdt_jt_" + probe)).findFirst().orElseThrow();
    }

    private static int symbolEntry(ObjectBytes o, int index) {
        ElfSection symtab = o.elf.sections().stream().filter(s -> s.type() == ElfSection.SHT_SYMTAB).findFirst().orElseThrow();
        return (int) symtab.offset() + 24 * index;
    }
}
