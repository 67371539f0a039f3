package org.bpfsdt.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.FuncInfo;
import org.bpfsdt.api.btf.LineInfo;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.InsnValidator;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.loader.object.ProgramKind;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Opening real objects: programs, maps, relocations, subprograms, BTF.ext and globals, as libbpf sees them. */
class ObjectFileTest {

    /** Every test program and every yardstick program opens, and each program links into valid, self-consistent code. */
    @TestFactory
    Stream<DynamicTest> everyObjectOpensAndLinks() {
        List<java.nio.file.Path> all = new ArrayList<>(TestObjects.objectsIn(TestObjects.testprogs()));
        all.addAll(TestObjects.objectsIn(TestObjects.benchProgs()));
        return all.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            ObjectFile obj = ObjectFile.open(p);
            assertFalse(obj.programs().isEmpty(), "programs");
            assertFalse(obj.license().isEmpty(), "license");
            assertTrue(obj.btf().isPresent(), "BTF");
            for (ObjectProgram prog : obj.programs()) {
                List<Insn> insns = prog.instructions();
                InsnValidator.validate(insns);
                assertConsistent(prog, insns);
            }
            assertTrue(obj.report().startsWith("object " + obj.name()));
        }));
    }

    /** Calls land on function starts, map loads index the program's map list, BTF.ext records are in order. */
    private static void assertConsistent(ObjectProgram prog, List<Insn> insns) {
        List<Integer> starts = new ArrayList<>();
        prog.funcInfo().forEach(f -> starts.add(f.insnOff()));
        assertEquals(1 + prog.subprograms().size(), starts.size(), prog.name() + ": one func_info per function");
        assertEquals(0, starts.get(0));
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn in = insns.get(pc);
            if (in.isLocalCall() || (in.isLddw() && in.src() == Opcodes.PSEUDO_FUNC)) {
                assertTrue(starts.contains(pc + 1 + in.imm()), prog.name() + ": insn " + pc + " targets a function start");
            }
            if (in.isLddw() && (in.src() == Opcodes.PSEUDO_MAP_IDX || in.src() == Opcodes.PSEUDO_MAP_IDX_VALUE)) {
                assertTrue(in.imm() >= 0 && in.imm() < prog.mapNames().size(), prog.name() + ": insn " + pc + " map index");
            }
            if (in.isLddw()) {
                pc++;
            }
        }
        int last = -1;
        for (LineInfo li : prog.lineInfo()) {
            assertTrue(li.insnOff() >= last && li.insnOff() < insns.size(), prog.name() + ": line_info in order");
            last = li.insnOff();
        }
    }

    @Test
    void sectionNamesGiveTypesAttachTypesAndTargets() {
        ObjectFile tracing = TestObjects.open("tracing_args.o");
        ObjectProgram observe = tracing.program("observe");
        assertEquals(ProgramType.TRACING, observe.type());
        assertEquals(AttachType.TRACE_SDT, observe.attachType());
        assertEquals("probe_len_ret", observe.attachTarget());
        assertEquals(AttachType.TRACE_FENTRY, tracing.program("on_entry").attachType());
        assertEquals("trace_point", tracing.program("on_entry").attachTarget());

        ObjectFile multi = TestObjects.open("multi_prog.o");
        assertEquals(List.of("count_pass", "count_drop", "count_len", "frags_len", "untyped"),
                multi.programs().stream().map(ObjectProgram::name).toList());
        assertEquals(ProgramKind.BPF_F_XDP_HAS_FRAGS, multi.program("frags_len").flags());
        assertEquals(0, multi.program("count_pass").flags());
        assertNull(multi.program("untyped").type(), "custom_section names no type");
        assertTrue(multi.notes().stream().anyMatch(n -> n.contains("custom_section")));

        assertEquals(ProgramType.SOCKET_FILTER, TestObjects.open("socket_filter.o").program("socket_filter").type());
        ObjectFile tc = TestObjects.open("tc_skb.o");
        assertEquals(List.of("tc", "tc"), tc.programs().stream().map(ObjectProgram::section).toList());
        assertEquals(ProgramType.SCHED_CLS, tc.program("tc_classify").type());
        assertNull(tc.program("tc_classify").attachType());
    }

    @Test
    void btfDefinedMapsKeepEveryAttribute() {
        ObjectFile obj = TestObjects.open("map_lpm_bloom.o");
        ObjectMap routes = obj.map("routes");
        assertEquals(MapType.LPM_TRIE, routes.type());
        assertEquals(8, routes.keySize());
        assertEquals(4, routes.valueSize());
        assertEquals(16, routes.maxEntries());
        assertEquals(MapFlags.NO_PREALLOC, routes.flags());
        assertEquals("struct lpm_key", routes.keyType().orElseThrow());
        ObjectMap seen = obj.map("seen");
        assertEquals(MapType.BLOOM_FILTER, seen.type());
        assertEquals(0, seen.keySize());
        assertEquals(3, seen.mapExtra());

        ObjectFile qs = TestObjects.open("map_queue_stack.o");
        assertEquals(4, qs.map("scratch").valueSize(), "__uint(value_size, 4) without a type");
        assertTrue(qs.map("scratch").valueType().isEmpty());
        assertEquals(4096, TestObjects.open("map_ringbuf.o").map("events").maxEntries());
    }

    @Test
    void progArrayInitialiserNamesProgramsPerSlot() {
        ObjectMap table = TestObjects.open("tail_call.o").map("jump_table");
        assertEquals(MapType.PROG_ARRAY, table.type());
        assertEquals(4, table.valueSize());
        assertEquals(Arrays.asList("tail_pass", null, "tail_drop"), table.initialSlots());
    }

    @Test
    void mapLoadsBecomeIndicesIntoTheProgramsMapList() {
        ObjectProgram prog = TestObjects.open("map_array.o").program("array_ops");
        assertEquals(List.of("counters", "hits"), prog.mapNames());
        List<Insn> insns = prog.instructions();
        List<Integer> mapIdx = new ArrayList<>();
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn in = insns.get(pc);
            if (in.isLddw()) {
                assertEquals(Opcodes.PSEUDO_MAP_IDX, in.src());
                assertEquals(0, insns.get(pc + 1).imm());
                mapIdx.add(in.imm());
                pc++;
            }
        }
        assertTrue(mapIdx.containsAll(List.of(0, 1)), "both maps referenced: " + mapIdx);
    }

    @Test
    void globalDataLoadsAddressTheVariablesOffset() {
        ObjectFile obj = TestObjects.open("global_data.o");
        ObjectProgram prog = obj.program("global_data");
        List<String> maps = prog.mapNames();
        List<Insn> insns = prog.instructions();
        List<String> refs = new ArrayList<>();
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn in = insns.get(pc);
            if (in.isLddw()) {
                assertEquals(Opcodes.PSEUDO_MAP_IDX_VALUE, in.src());
                refs.add(maps.get(in.imm()) + "+" + insns.get(pc + 1).imm());
                pc++;
            }
        }
        GlobalVariable lastLen = obj.global("last_len");
        assertEquals(".bss", lastLen.section());
        assertEquals(8, lastLen.offset());
        assertTrue(refs.contains(".bss+0"), refs.toString());
        assertTrue(refs.contains(".rodata+0") && refs.contains(".data+0") && refs.contains(".data.counters+0")
                && refs.contains(".rodata.tables+0"), refs.toString());
    }

    @Test
    void globalDataSectionsBecomeSingleEntryArrayMapsNamedAsLibbpfNamesThem() {
        ObjectFile obj = TestObjects.open("global_data.o");
        assertEquals(List.of(".rodata", ".data", ".data.counters", ".rodata.tables", ".bss"),
                obj.maps().stream().map(ObjectMap::name).toList());
        ObjectMap rodata = obj.map(".rodata");
        assertEquals("global_d.rodata", rodata.kernelName());
        assertEquals(MapKind.RODATA, rodata.kind());
        assertEquals(MapType.ARRAY, rodata.type());
        assertEquals(1, rodata.maxEntries());
        assertEquals(4, rodata.keySize());
        assertTrue((rodata.flags() & MapFlags.RDONLY_PROG) != 0);
        assertTrue(rodata.frozenAfterLoad());
        assertEquals(".data.counters", obj.map(".data.counters").kernelName(), "custom sections keep their name");
        assertEquals("global_d.bss", obj.map(".bss").kernelName());
        assertSame(obj.map(".bss"), obj.map("global_d.bss"));
        BpfException e = assertThrows(BpfException.class, () -> rodata.setMaxEntries(2));
        assertEquals(Errno.EINVAL, e.errno());
    }

    private static void assertSame(ObjectMap a, ObjectMap b) {
        assertTrue(a == b, a.name() + " and " + b.name());
    }

    @Test
    void globalsReadAndWriteTheInitialValueBeforeLoad() {
        ObjectFile obj = TestObjects.open("global_data.o");
        GlobalVariable multiplier = obj.global("multiplier");
        assertEquals(3, multiplier.longValue());
        assertEquals("const volatile __u32", multiplier.typeName());
        multiplier.set(10);
        assertEquals(10, multiplier.longValue());
        assertArrayEquals(new byte[] {10, 0, 0, 0}, Arrays.copyOfRange(obj.map(".rodata").initialValue(), 0, 4));
        assertEquals("\"hello\"", obj.global("greeting").formatValue());
        assertEquals(5, obj.global("bias").longValue());
        assertFalse(obj.global("hidden_total").isGlobal(), "static variables are marked");
        assertEquals(ErrnoOf.ERANGE, ErrnoOf.of(() -> obj.global("bias").set(1L << 40)));
        assertEquals(ErrnoOf.EINVAL, ErrnoOf.of(() -> obj.global("table").longValue()));
        assertEquals(ErrnoOf.ENOENT, ErrnoOf.of(() -> obj.global("nope")));
        GlobalVariable small = TestObjects.open("btf_kinds.o").global("small_var");
        assertEquals(-1, small.longValue(), "signed enum sign-extends");
        assertEquals("small_var = -1", small.toString());
    }

    /** Errno of a failing call, for compact assertions. */
    private enum ErrnoOf {
        ERANGE, EINVAL, ENOENT;

        static ErrnoOf of(Runnable r) {
            BpfException e = assertThrows(BpfException.class, r::run);
            return valueOf(e.errno().name());
        }
    }

    @Test
    void subprogramsAreAppendedOncePerProgramThatCallsThem() {
        ObjectFile obj = TestObjects.open("subprogs.o");
        ObjectProgram a = obj.program("prog_a"), b = obj.program("prog_b");
        assertEquals(List.of("sum_of_squares", "add_bias", "square"), a.subprograms());
        assertEquals(List.of("square"), b.subprograms());
        assertEquals(List.of(".data"), a.mapNames(), "add_bias's global reaches prog_a's map list");
        List<String> funcs = a.funcInfo().stream().map(f -> obj.btf().orElseThrow().type(f.typeId()).name()).toList();
        assertEquals(List.of("prog_a", "sum_of_squares", "add_bias", "square"), funcs);
        List<Integer> offs = a.funcInfo().stream().map(FuncInfo::insnOff).toList();
        assertEquals(offs, offs.stream().sorted().toList());
        assertTrue(a.lineInfo().stream().anyMatch(l -> l.source().contains("return x * x;") && l.file().endsWith("subprogs.c")));
        assertTrue(a.disassembly().contains("square:\n"));
        assertTrue(a.disassembly().contains("; return x + bias_value;"));
    }

    @Test
    void callbackAddressBecomesAPseudoFuncLoad() {
        ObjectProgram prog = TestObjects.open("helpers_misc.o").program("helpers_misc");
        assertEquals(List.of("add_index"), prog.subprograms());
        int start = prog.funcInfo().get(1).insnOff();
        List<Insn> insns = prog.instructions();
        boolean found = false;
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn in = insns.get(pc);
            if (in.isLddw() && in.src() == Opcodes.PSEUDO_FUNC) {
                assertEquals(start, pc + 1 + in.imm());
                found = true;
            }
        }
        assertTrue(found, "an LDDW of add_index's address");
    }

    @Test
    void coreRelocationsResolveAgainstTheRuntimesContextTypes() {
        List<Insn> insns = TestObjects.open("core_ctx.o").program("core_ctx").instructions();
        // skb->len and skb->mark: offsets 24 and 0 in the local flavour, 0 and 8 in struct __sk_buff
        assertEquals(0, insns.get(0).off(), "len");
        assertEquals(8, insns.get(1).off(), "mark");
        assertEquals(1, insns.get(4).imm(), "hwtstamp exists");
        assertEquals(0, insns.get(7).imm(), "no_such_field does not");
        assertEquals(1, insns.get(12).imm(), "struct xdp_md exists");
        assertEquals(24, insns.get(14).imm(), "sizeof(struct xdp_md)");
        assertEquals(20, insns.get(19).imm(), "sizeof(cb)");
    }

    @Test
    void anUnresolvableCoreRelocationNamesProgramInstructionTypeAndField() {
        ObjectFile obj = ObjectFile.open(TestObjects.testprog("malformed/core_missing_field.o"));
        BpfException e = assertThrows(BpfException.class, () -> obj.program("p").instructions());
        assertEquals(Errno.ESRCH, e.errno());
        assertTrue(e.reason().contains("prog 'p'") && e.reason().contains("insn 0") && e.reason().contains("__sk_buff___mine")
                && e.reason().contains("no_such_field") && e.reason().contains("byte_off"), e.reason());
    }

    @Test
    void everyBtfKindIsParsedAndDumpedAsC() {
        ObjectFile obj = TestObjects.open("btf_kinds.o");
        String c = org.bpfsdt.api.btf.BtfCDump.dump(obj.btf().orElseThrow());
        assertTrue(c.contains("struct bits {\n\t__u32 a: 3;\n\t__u32 b: 5;\n\t__u32 c: 24;\n};"), c);
        assertTrue(c.contains("enum small {\n\tMINUS = -1,\n\tPLUS = 1,\n};"), c);
        assertTrue(c.contains("HUGE = 18446744069414584320ULL"), c);
        assertTrue(c.contains("typedef int (*callback_t)(int, const char *);"), c);
        assertTrue(c.contains("struct opaque;"), c);
        assertTrue(c.contains("const volatile __u32 cv;"), c);
    }

    /** What {@code bpfsdt obj show} prints. */
    @Test
    void reportListsProgramsMapsGlobalsAndBtf() {
        String report = TestObjects.open("global_data.o").report();
        assertTrue(report.startsWith("object global_data (global_data.o)  license \"Dual BSD/GPL\"\n"), report);
        assertTrue(report.contains("\n  global_data  section xdp  type XDP  attach XDP  insns 38  maps .bss,.data.counters,.rodata,.data,.rodata.tables\n"), report);
        assertTrue(report.contains("\n  .rodata (global_d.rodata)  ARRAY  key 4  value 10  max_entries 1  flags RDONLY_PROG|MMAPABLE  (frozen after load)\n"), report);
        assertTrue(report.contains("\n  .rodata+4  const char greeting[6] = \"hello\"\n"), report);
        assertTrue(report.contains("\n  .bss+12  __u32 hidden_total (static) = 0\n"), report);
        assertTrue(report.contains("\nbtf: 34 types (INT 5, PTR 1, ARRAY 4, STRUCT 1, TYPEDEF 2, VOLATILE 1, CONST 3, FUNC 1, FUNC_PROTO 1, VAR 9, DATASEC 6)\n"), report);
        assertTrue(!report.contains("notes:"), "nothing to note");
        String tail = TestObjects.open("tail_call.o").report();
        assertTrue(tail.contains("  jump_table  PROG_ARRAY  key 4  value 4  max_entries 4  flags 0\n"), tail);
    }

    /** The shared yardstick objects, as the benchmarks and later end-to-end tests rely on them. */
    @Test
    void yardstickObjects() {
        java.nio.file.Path dir = TestObjects.benchProgs();
        ObjectFile counter = ObjectFile.open(dir.resolve("array_counter.o"));
        assertEquals(List.of("array_counter"), counter.programs().stream().map(ObjectProgram::name).toList());
        assertEquals(MapType.ARRAY, counter.map("pkt_counter").type());
        assertEquals(List.of("pkt_counter"), counter.program("array_counter").mapNames());

        ObjectFile flows = ObjectFile.open(dir.resolve("hash_flow.o"));
        assertEquals(16, flows.map("flows").keySize());
        assertEquals("struct flow_key", flows.map("flows").keyType().orElseThrow());
        assertEquals(4096, flows.map("flows").maxEntries());

        ObjectFile sdt = ObjectFile.open(dir.resolve("sdt_like.o"));
        assertEquals(List.of("trace_point"), sdt.program("sdt_like").subprograms());
        assertEquals(List.of(), sdt.program("sdt_like_noprobe").subprograms());

        ObjectFile linked = ObjectFile.open(dir.resolve("sdt_like_linked.o"));
        assertEquals(List.of("obs_hits", "obs_len", "obs_ret"), linked.globals().stream().map(GlobalVariable::name).toList());
        assertEquals(List.of(".bss"), linked.program("sdt_like").mapNames(), "the subprogram's globals reach the program");

        ObjectFile observer = ObjectFile.open(dir.resolve("sdt_like_observer.o"));
        assertEquals(AttachType.TRACE_FENTRY, observer.program("observe_trace_point").attachType());
        assertEquals("trace_point", observer.program("observe_trace_point").attachTarget());
        assertEquals("sdt_like.bss", observer.map(".bss").kernelName(), "libbpf's 8 + 7 character internal map name");

        for (String name : List.of("xdp_parse.o", "xdp_fnv.o", "compute_primes.o")) {
            ObjectFile o = ObjectFile.open(dir.resolve(name));
            assertEquals(1, o.programs().size(), name);
            assertTrue(o.maps().isEmpty(), name);
            assertEquals(ProgramType.XDP, o.programs().get(0).type(), name);
        }
    }
}
