package org.bpfsdt.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;

import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.core.runtime.ServiceLoaderRuntime;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.oracle.KernelBpf;
import org.bpfsdt.oracle.KernelObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The kernel runs every catalogued program it can load here (linked by the loader, see
 * {@link KernelObject}) with the same input, and agrees with this runtime on each run's return
 * value, packet out and context out, and on the contents of every map afterwards; the kernel's
 * return values are also the documented ones. Skipped, with the reason, where {@code bpf()} is
 * not available; cases the kernel cannot run here say why.
 */
class KernelComparisonTest {

    @TestFactory
    Stream<DynamicTest> theKernelAgreesWithThisRuntime() {
        List<String> engines;
        try (CoreRuntime probe = new ServiceLoaderRuntime()) {
            engines = ObjectRunTest.engines(probe);
        }
        return engines.stream().flatMap(engine -> Catalogue.all().stream().map(c -> DynamicTest.dynamicTest(engine + ": " + c.name(), () -> {
            KernelBpf.Availability a = KernelBpf.availability();
            assumeTrue(a.available(), a.reason());
            assumeTrue(c.kernelSkip() == null, c.kernelSkip());
            compare(c, engine);
        })));
    }

    private static void compare(ProgramCase c, String engine) {
        ObjectFile kernelObj = CaseRunner.open(c);
        try (CoreRuntime rt = new ServiceLoaderRuntime();
             KernelObject k = KernelObject.load(kernelObj)) {
            List<KernelBpf.TestRun> theirs = CaseRunner.runInKernel(c, k);
            ProgramCase.Outcome ours = CaseRunner.run(c, rt, engine);
            try (LoadedObject loaded = ours.object()) {
                for (int i = 0; i < c.runs().size(); i++) {
                    ProgramCase.Run r = c.runs().get(i);
                    KernelBpf.TestRun kernel = theirs.get(i);
                    TestRunResult here = ours.results().get(i);
                    assertEquals(r.retval(), Integer.toUnsignedLong(kernel.retval()), "the kernel's " + r.program() + " returns the documented value");
                    assertEquals(Integer.toUnsignedLong(kernel.retval()), here.retval(), r.program() + ": return value");
                    assertArrayEquals(kernel.dataOut(), here.dataOut(), r.program() + ": packet out");
                    assertArrayEquals(kernel.ctxOut(), here.ctxOut(), r.program() + ": context out");
                }
                Map<String, SortedMap<String, String>> kernelMaps = MapContents.all(k, kernelObj);
                assertEquals(kernelMaps, MapContents.all(loaded), "map contents after the runs");
            }
        }
    }
}
