package org.bpfsdt.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ServiceLoader;

import org.bpfsdt.api.spi.JitCompiler;
import org.junit.jupiter.api.Test;

/** How the runtime finds this JIT: a DS component with its properties, and a ServiceLoader provider. */
class ServiceRegistrationTest {

    @Test
    void theComponentDeclaresArchitectureRankingAndSdtSupport() throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("OSGI-INF/" + X86JitCompiler.class.getName() + ".xml")) {
            assertNotNull(in, "bnd generates the component description from the annotations");
            String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(xml.contains("<provide interface=\"" + JitCompiler.class.getName() + "\"/>"), xml);
            assertTrue(xml.contains("name=\"bpf.jit.arch\" type=\"String\" value=\"x86_64\""), xml);
            assertTrue(xml.contains("name=\"service.ranking\" type=\"Integer\" value=\"100\""), xml);
            assertTrue(xml.contains("name=\"bpf.jit.sdt.probe\" type=\"Boolean\" value=\"true\""), xml);
        }
    }

    @Test
    void serviceLoaderFindsIt() {
        JitCompiler jit = ServiceLoader.load(JitCompiler.class).stream().map(ServiceLoader.Provider::get)
                .filter(j -> j instanceof X86JitCompiler).findFirst().orElseThrow();
        assertEquals("x86_64", jit.architecture());
        assertTrue(jit.runsOnHost());
        assertTrue(jit.supportsSdtProbes(), "as the component property says: SDT works end to end");
    }
}
