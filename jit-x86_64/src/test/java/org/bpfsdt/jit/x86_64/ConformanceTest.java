package org.bpfsdt.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.jit.x86_64.codegen.CpuFeatures;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every program of the shared conformance suite, compiled and run natively. */
class ConformanceTest {
    /** The host's features (BMI2 shifts where present) and the x86-64 baseline (shifts through cl). */
    private static final Map<String, X86JitCompiler> JITS = Map.of(
            "host", new X86JitCompiler(CpuFeatures.ofHost(), false),
            "baseline", new X86JitCompiler(CpuFeatures.BASELINE, false));

    static Path conformanceDir() {
        return Path.of(System.getProperty("bpfsdt.shared", "../../shared")).resolve("conformance");
    }

    @TestFactory
    Stream<DynamicContainer> conformanceSuite() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(conformanceDir())) {
            files = s.filter(p -> p.toString().endsWith(".data")).sorted().toList();
        }
        return JITS.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> DynamicContainer.dynamicContainer(e.getKey(), files.stream().map(p -> test(e.getValue(), p))));
    }

    private static DynamicTest test(X86JitCompiler jit, Path p) {
        return DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            String data = Files.readString(p);
            List<Insn> insns = Assembler.assemble(section(data, "asm"));
            String memHex = section(data, "mem").replaceAll("\\s+", "");
            byte[] mem = HexFormat.of().parseHex(memHex);
            String result = section(data, "result").trim();
            long expected = result.startsWith("0x") ? Long.parseUnsignedLong(result.substring(2), 16) : Long.parseUnsignedLong(result);
            try (JitImage image = jit.compile(NativeRun.request(p.getFileName().toString(), insns, NativeRun.CONFORMANCE_HELPERS))) {
                assertEquals(expected, NativeRun.run(image, mem).r0(), "r0");
            }
        });
    }

    static String section(String data, String name) {
        StringBuilder out = new StringBuilder();
        boolean in = false;
        for (String line : data.split("\n")) {
            if (line.startsWith("-- ")) {
                in = line.substring(3).trim().equals(name);
            } else if (in) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }
}
