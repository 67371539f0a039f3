package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.VerifierResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every yardstick program of {@code shared/bench/progs} verifies, as it does in the kernel. */
class BenchProgramsTest {
    static Path benchDir() {
        return Shared.dir().resolve("bench").resolve("progs");
    }

    static List<MapDescriptor> mapsFor(String object) {
        return switch (object) {
            case "array_counter" -> List.of(TestPrograms.map(1, MapType.ARRAY, 4, 8, 1));
            case "hash_flow" -> List.of(TestPrograms.map(1, MapType.HASH, 16, 16, 4096));
            default -> List.of();
        };
    }

    @ParameterizedTest
    @CsvSource({"xdp_parse,xdp,xdp_parse", "xdp_fnv,xdp,xdp_fnv", "compute_primes,xdp,compute_primes", "array_counter,xdp,array_counter",
            "hash_flow,xdp,hash_flow", "sdt_like,xdp,sdt_like", "sdt_like,xdp,sdt_like_noprobe"})
    void verifies(String object, String section, String function) throws Exception {
        Path o = benchDir().resolve(object + ".o");
        Assumptions.assumeTrue(Files.exists(o), "bench objects not found at " + o);
        ElfPrograms elf = new ElfPrograms(o);
        var insns = elf.program(section, function);
        long t0 = System.nanoTime();
        VerifierResult r = new BpfVerifier().verify(TestPrograms.request(ProgramType.XDP, insns, mapsFor(object), 1));
        long t1 = System.nanoTime();
        System.out.printf("%s/%s: %d insns processed, %.2f ms%n", object, function, r.processedInsns(), (t1 - t0) / 1e6);
        assertTrue(r.processedInsns() > 0);
    }
}
