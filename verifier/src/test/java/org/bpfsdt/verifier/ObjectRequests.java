package org.bpfsdt.verifier;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.HelperProtos;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectMap;
import org.bpfsdt.loader.ObjectProgram;

/** Verifier requests for programs of clang objects, as the runtime builds them (tests and benchmarks). */
public final class ObjectRequests {
    private ObjectRequests() {
    }

    /**
     * What the runtime would hand the verifier for {@code p} of {@code obj}: maps at made-up
     * addresses, except global data ({@code .rodata} frozen as the loader freezes it), whose
     * value is real memory from {@code arena} holding the variables as configured now, since
     * the verifier reads frozen read-only values.
     */
    public static VerifierRequest of(ObjectFile obj, ObjectProgram p, int logLevel, Arena arena) {
        List<MapDescriptor> maps = new ArrayList<>();
        int id = 1;
        for (String name : p.mapNames()) {
            ObjectMap m = obj.map(name);
            MapSpec s = m.toSpec();
            long valueBase = 0x2000_0000L * id;
            byte[] initial = m.initialValue();
            if (initial.length > 0) {
                MemorySegment value = arena.allocate(Math.max(1, s.valueSize()), 8);
                MemorySegment.copy(initial, 0, value, ValueLayout.JAVA_BYTE, 0, Math.min(initial.length, s.valueSize()));
                valueBase = value.address();
            }
            maps.add(new MapDescriptor(id, s.type(), s.keySize(), s.valueSize(), s.maxEntries(), s.flags(), m.frozenAfterLoad(), s.btf(),
                    s.btfValueTypeId(), -1, 0x1000_0000L * id, valueBase, Optional.empty()));
            id++;
        }
        return new VerifierRequest(p.type(), p.attachType(), p.instructions(), maps, obj.btf().orElse(null), p.funcInfo(), p.lineInfo(),
                HelperProtos.forProgramType(p.type()), ContextLayouts.forType(p.type(), 5), null, 0, List.of(), true, logLevel);
    }

    /** As {@link #of(ObjectFile, ObjectProgram, int, Arena)}, the values kept for the rest of the run (benchmarks set up once). */
    public static VerifierRequest of(ObjectFile obj, ObjectProgram p, int logLevel) {
        return of(obj, p, logLevel, Arena.global());
    }

    /** The first value of each of {@code p}'s maps as configured now, for the kernel's equivalent maps ({@code null}: none). */
    static List<byte[]> initialValues(ObjectFile obj, ObjectProgram p) {
        List<byte[]> l = new ArrayList<>();
        for (String name : p.mapNames()) {
            byte[] v = obj.map(name).initialValue();
            l.add(v.length == 0 ? null : v);
        }
        return l;
    }
}
