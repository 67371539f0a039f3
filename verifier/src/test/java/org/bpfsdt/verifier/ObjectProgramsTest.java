package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.HelperProtos;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectMap;
import org.bpfsdt.loader.ObjectProgram;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every program of the repository's C test objects ({@code testprogs/}) and of the shared
 * yardsticks ({@code shared/bench/progs}) verifies, as it does in the kernel (the loader's
 * kernel oracle test loads and runs them there; {@code testprogs/README.md} records the
 * kernel's results). Tracing programs that attach to kernel functions or SDT probes need their
 * attach targets and are verified by the SDT tests.
 */
class ObjectProgramsTest {
    static Path root() {
        return Path.of(System.getProperty("bpfsdt.root", "..")).toAbsolutePath().normalize();
    }

    static List<Path> objects() throws IOException {
        List<Path> l = new ArrayList<>();
        for (Path dir : List.of(root().resolve("testprogs"), Shared.dir().resolve("bench").resolve("progs"))) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(p -> p.toString().endsWith(".o")).sorted().forEach(l::add);
                }
            }
        }
        return l;
    }

    /** What the runtime would hand the verifier for {@code p} of {@code obj}. */
    static VerifierRequest request(ObjectFile obj, ObjectProgram p, int logLevel) {
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

    @TestFactory
    Stream<DynamicTest> everyObjectProgramVerifies() throws IOException {
        List<Path> objs = objects();
        Assumptions.assumeFalse(objs.isEmpty(), "no objects found under " + root());
        List<DynamicTest> tests = new ArrayList<>();
        for (Path o : objs) {
            ObjectFile obj = ObjectFile.open(o);
            for (ObjectProgram p : obj.programs()) {
                if (p.type() == null || p.type() == ProgramType.TRACING) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(o.getFileName() + " " + p.name(), () -> {
                    try {
                        VerifierResult r = new BpfVerifier().verify(request(obj, p, 1));
                        System.out.printf("%s %s: %d insns processed%n", o.getFileName(), p.name(), r.processedInsns());
                    } catch (BpfException e) {
                        fail(o.getFileName() + " " + p.name() + " rejected: " + e.getMessage() + "\n" + e.log());
                    }
                }));
            }
        }
        return tests.stream();
    }
}
