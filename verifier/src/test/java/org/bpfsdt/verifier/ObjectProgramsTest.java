package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectProgram;
import org.bpfsdt.oracle.KernelBpf;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
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

    /**
     * The same instructions loaded into the running kernel, with the program's BTF and func_info
     * (so global functions are verified on their own there too) and global data as configured,
     * but maps without BTF: every program the kernel accepts is accepted here too; the kernel may
     * refuse only where it needs the maps' BTF (spin locks).
     */
    @Test
    void theKernelAgrees() throws IOException {
        KernelBpf.Availability a = KernelBpf.availability();
        Assumptions.assumeTrue(a.available(), a.reason());
        int agree = 0, needsBtf = 0;
        Arena arena = Arena.ofAuto();
        for (Path o : objects()) {
            ObjectFile obj = ObjectFile.open(o);
            for (ObjectProgram p : obj.programs()) {
                if (p.type() == null || p.type() == ProgramType.TRACING) {
                    continue;
                }
                VerifierRequest req = ObjectRequests.of(obj, p, 0, arena);
                FuncBtf btf = obj.btf().map(b -> new FuncBtf(b, p.funcInfo())).orElse(null);
                try (KernelProgram k = new KernelProgram(req.type(), req.attachType(), req.insns(), req.maps(), ObjectRequests.initialValues(obj, p),
                        btf)) {
                    k.load(1);
                    agree++;
                } catch (BpfException e) {
                    String why = e.log();
                    assertTrue(why.contains("BTF") || why.contains("btf"), o.getFileName() + " " + p.name() + " refused by the kernel for another reason: "
                            + e.getMessage() + "\n" + why);
                    needsBtf++;
                }
            }
        }
        System.out.printf("object programs: the kernel accepts %d as bpf-sdt does; %d need BTF in the kernel (accepted by the loader's oracle test)%n",
                agree, needsBtf);
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
                        VerifierResult r;
                        try (Arena arena = Arena.ofConfined()) {
                            r = new BpfVerifier().verify(ObjectRequests.of(obj, p, 1, arena));
                        }
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
