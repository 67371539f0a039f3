package org.bpfsdt.verifier;

import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.HelperProtos;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;

/** Builds verifier requests for tests: assembly, a program type, maps. */
final class TestPrograms {
    private TestPrograms() {
    }

    static MapDescriptor map(int id, MapType type, int keySize, int valueSize, int maxEntries) {
        return new MapDescriptor(id, type, keySize, valueSize, maxEntries, 0, false, null, 0, -1, 0x10000L * id, 0x20000L * id,
                Optional.empty());
    }

    static VerifierRequest request(ProgramType type, String asm, List<MapDescriptor> maps, int logLevel) {
        return request(type, Assembler.assemble(asm), maps, logLevel);
    }

    static VerifierRequest request(ProgramType type, List<Insn> insns, List<MapDescriptor> maps, int logLevel) {
        return new VerifierRequest(type, null, insns, maps, null, List.of(), List.of(), HelperProtos.forProgramType(type),
                ContextLayouts.forType(type, 6), null, 0, List.of(), true, logLevel);
    }

    static VerifierResult verify(ProgramType type, String asm, MapDescriptor... maps) {
        return new BpfVerifier().verify(request(type, asm, List.of(maps), 2));
    }
}
