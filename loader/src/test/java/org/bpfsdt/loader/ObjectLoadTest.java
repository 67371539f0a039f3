package org.bpfsdt.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.junit.jupiter.api.Test;

/**
 * Loading objects through the runtime facade: what {@code mapCreate} and {@code progLoad}
 * receive, initial values, frozen {@code .rodata}, PROG_ARRAY slots, globals after load, and
 * that a load failing part-way leaves nothing open. Uses {@link RecordingRuntime} until the
 * runtime can run programs; the end-to-end runs of the same objects belong to the runtime's tests.
 */
class ObjectLoadTest {

    @Test
    void mapsAreCreatedFromTheirDefinitionsAndProgramsGetTheirMapArray() {
        RecordingRuntime rt = new RecordingRuntime();
        ObjectFile obj = TestObjects.open("map_array.o");
        obj.map("counters").setMaxEntries(8);
        try (LoadedObject loaded = obj.load(rt)) {
            MapSpec counters = rt.mapSpecs.get(0);
            assertEquals(MapType.ARRAY, counters.type());
            assertEquals("counters", counters.name());
            assertEquals(4, counters.keySize());
            assertEquals(8, counters.valueSize());
            assertEquals(8, counters.maxEntries(), "setMaxEntries before load");
            assertEquals("__u32", counters.btf().typeName(counters.btfKeyTypeId()));
            assertEquals("__u64", counters.btf().typeName(counters.btfValueTypeId()));

            ProgSpec prog = rt.progSpec("array_ops");
            assertEquals(ProgramType.XDP, prog.type());
            assertEquals(AttachType.XDP, prog.expectedAttachType());
            assertEquals("Dual BSD/GPL", prog.license());
            assertEquals(List.of(loaded.map("counters"), loaded.map("hits")), prog.maps());
            assertEquals(obj.program("array_ops").instructions(), prog.insns());
            assertSame(obj.btf().orElseThrow(), prog.btf());
            assertEquals(1, prog.funcInfo().size());
            assertTrue(prog.lineInfo().size() > 5);
            assertEquals(List.of("mapCreate", "mapCreate", "progLoad"), rt.calls);
            BpfProgram p = loaded.program("array_ops");
            assertEquals("array_ops", p.name());
        }
        assertEquals(0, rt.openHandles(), "closing the loaded object closes every handle");
    }

    @Test
    void globalDataIsWrittenBeforeProgramsLoadAndRodataIsFrozen() {
        RecordingRuntime rt = new RecordingRuntime();
        ObjectFile obj = TestObjects.open("global_data.o");
        obj.global("multiplier").set(10);
        try (LoadedObject loaded = obj.load(rt)) {
            RecordingRuntime.Map_ rodata = rt.mapNamed("global_d.rodata");
            assertTrue(rodata.isFrozen());
            assertEquals(10, rodata.lookup(new byte[4]).orElseThrow()[0]);
            assertEquals(false, rt.mapNamed("global_d.data").isFrozen());
            assertEquals(List.of("mapCreate", "update", "freeze", "mapCreate", "update", "mapCreate", "update",
                    "mapCreate", "update", "freeze", "mapCreate", "update", "progLoad"), rt.calls);

            GlobalVariable runs = loaded.global("runs");
            assertEquals(0, runs.longValue());
            loaded.global("bias").set(7);
            assertEquals(7, rt.mapNamed("global_d.data").lookup(new byte[4]).orElseThrow()[0], "writes reach the live map");
            assertEquals(10, loaded.global("multiplier").longValue());
            BpfException e = assertThrows(BpfException.class, () -> loaded.global("multiplier").set(4));
            assertEquals(Errno.EPERM, e.errno());
            assertSame(loaded.map(".bss"), loaded.map("global_d.bss"));
        }
        assertEquals(0, rt.openHandles());
    }

    @Test
    void progArraySlotsAreFilledWithTheLoadedPrograms() {
        RecordingRuntime rt = new RecordingRuntime();
        try (LoadedObject loaded = TestObjects.open("tail_call.o").load(rt)) {
            BpfMap table = loaded.map("jump_table");
            assertArrayEquals(ObjectLoader.le32(loaded.program("tail_pass").id()), table.lookup(ObjectLoader.le32(0)).orElseThrow());
            assertArrayEquals(ObjectLoader.le32(loaded.program("tail_drop").id()), table.lookup(ObjectLoader.le32(2)).orElseThrow());
            assertTrue(table.lookup(ObjectLoader.le32(1)).isEmpty());
        }
    }

    @Test
    void aSlotNamingAProgramThatIsNotLoadedFailsAndClosesEverything() {
        RecordingRuntime rt = new RecordingRuntime();
        ObjectFile obj = TestObjects.open("tail_call.o");
        obj.program("tail_drop").setAutoload(false);
        BpfException e = assertThrows(BpfException.class, () -> obj.load(rt));
        assertTrue(e.reason().contains("'tail_drop'"), e.reason());
        assertEquals(0, rt.openHandles());
    }

    @Test
    void anSdtObserverCarriesItsTargetAndProbeName() {
        RecordingRuntime rt = new RecordingRuntime();
        try (LoadedObject target = TestObjects.open("subprogs.o").load(rt)) {
            ObjectFile observer = TestObjects.open("tracing_args.o");
            observer.program("observe").setAttachTarget(target.program("prog_a"), null);
            observer.program("on_entry").setAutoload(false);
            try (LoadedObject loaded = observer.load(rt)) {
                ProgSpec spec = rt.progSpec("observe");
                assertEquals(ProgramType.TRACING, spec.type());
                assertEquals(AttachType.TRACE_SDT, spec.expectedAttachType());
                assertSame(target.program("prog_a"), spec.attachProgram());
                assertEquals("probe_len_ret", spec.sdtProbeName());
                assertEquals(1, loaded.programs().size());
            }
        }
        assertEquals(0, rt.openHandles());
    }

    @Test
    void frameworkFlagsAndUntypedSectionsFollowLibbpf() {
        RecordingRuntime rt = new RecordingRuntime();
        ObjectFile obj = TestObjects.open("multi_prog.o");
        BpfException e = assertThrows(BpfException.class, () -> obj.load(rt));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.reason().contains("'untyped'") && e.reason().contains("custom_section"), e.reason());
        assertTrue(rt.calls.isEmpty(), "nothing is created before every program is known to be loadable");

        obj.program("untyped").setType(ProgramType.XDP);
        try (LoadedObject loaded = obj.load(rt)) {
            assertEquals(1 << 5, rt.progSpec("frags_len").flags(), "BPF_F_XDP_HAS_FRAGS");
            assertEquals(ProgramType.XDP, rt.progSpec("untyped").type());
            assertNull(rt.progSpec("untyped").expectedAttachType());
            assertEquals(5, loaded.programs().size());
        }
    }

    /** Whichever call fails, everything created before it is closed and the error says what failed. */
    @Test
    void aFailureAtAnyStepClosesEverythingCreatedSoFar() {
        String[][] steps = {{"mapCreate", "1"}, {"mapCreate", "3"}, {"update", "2"}, {"freeze", "1"}, {"progLoad", "1"}};
        for (String[] step : steps) {
            RecordingRuntime rt = new RecordingRuntime().failOn(step[0], Integer.parseInt(step[1]));
            ObjectFile obj = TestObjects.open("global_data.o");
            BpfException e = assertThrows(BpfException.class, () -> obj.load(rt), step[0]);
            assertEquals(Errno.ENOMEM, e.errno());
            assertEquals(0, rt.openHandles(), "after a failed " + step[0] + " #" + step[1]);
        }
        RecordingRuntime rt = new RecordingRuntime().failOn("progLoad", 2);
        BpfException e = assertThrows(BpfException.class, () -> TestObjects.open("subprogs.o").load(rt));
        assertTrue(e.reason().startsWith("subprogs.o: program 'prog_b': "), e.reason());
        assertEquals(0, rt.openHandles());
    }

    @Test
    void anObjectCanBeLoadedTwice() {
        RecordingRuntime rt = new RecordingRuntime();
        ObjectFile obj = TestObjects.open("subprogs.o");
        try (LoadedObject a = obj.load(rt); LoadedObject b = obj.load(rt)) {
            assertTrue(a.program("prog_a").id() != b.program("prog_a").id());
        }
        assertEquals(0, rt.openHandles());
    }
}
