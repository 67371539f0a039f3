package org.bpfsdt.verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.MapFlags;
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

    /** What the runtime would hand the verifier for {@code p} of {@code obj} (maps at made-up addresses). */
    public static VerifierRequest of(ObjectFile obj, ObjectProgram p, int logLevel) {
        List<MapDescriptor> maps = new ArrayList<>();
        int id = 1;
        for (String name : p.mapNames()) {
            ObjectMap m = obj.map(name);
            MapSpec s = m.toSpec();
            maps.add(new MapDescriptor(id, s.type(), s.keySize(), s.valueSize(), s.maxEntries(), s.flags(),
                    m.frozenAfterLoad() || (s.flags() & MapFlags.RDONLY_PROG) != 0, s.btf(), s.btfValueTypeId(), -1, 0x1000_0000L * id,
                    0x2000_0000L * id, Optional.empty()));
            id++;
        }
        return new VerifierRequest(p.type(), p.attachType(), p.instructions(), maps, obj.btf().orElse(null), p.funcInfo(), p.lineInfo(),
                HelperProtos.forProgramType(p.type()), ContextLayouts.forType(p.type(), 5), null, 0, List.of(), true, logLevel);
    }
}
