package org.bpfsdt.core.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.bpfsdt.api.isa.ConformanceCase;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

class QuickConformanceTest {
    @TestFactory
    Stream<DynamicTest> all() throws Exception {
        Path dir = Path.of(System.getProperty("bpfsdt.shared", "../../shared")).resolve("conformance");
        HelperTable t = new HelperTable().register(5, null, (s, a, b, c, d, e) -> a);
        Interpreter in = new Interpreter(null);
        ExecState st = in.newState(0);
        return Files.list(dir).filter(p -> p.toString().endsWith(".data")).sorted().toList().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            ConformanceCase c = ConformanceCase.read(f);
            DecodedProgram p = DecodedProgram.decode(c.insns(), t, false, 0, c.name());
            try (Arena a = Arena.ofConfined()) {
                MemorySegment m = c.mem().length == 0 ? MemorySegment.NULL : a.allocate(c.mem().length);
                if (c.mem().length > 0) m.copyFrom(MemorySegment.ofArray(c.mem()));
                long r0 = in.run(st, p, m.address(), c.mem().length);
                assertEquals(Long.toHexString(c.expected().getAsLong()), Long.toHexString(r0));
            }
        }));
    }
}
