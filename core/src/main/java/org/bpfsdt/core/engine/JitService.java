package org.bpfsdt.core.engine;

import java.util.Map;
import java.util.Objects;

import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.spi.JitCompiler;

/**
 * A JIT service as the runtime knows it: the compiler and the properties it was registered with
 * ({@value JitCompiler#PROP_ARCH}, {@value JitCompiler#PROP_SDT_PROBE}, {@code service.ranking});
 * where a property is missing (ServiceLoader), the compiler's own answer.
 *
 * @param compiler   the service
 * @param arch       the architecture it emits
 * @param sdtProbes  whether it supports SDT probe sites
 * @param ranking    higher is preferred
 * @param order      registration order: among equal rankings the earlier wins, as OSGi's lower service id
 */
public record JitService(JitCompiler compiler, String arch, boolean sdtProbes, int ranking, long order) {
    public static final String RANKING = "service.ranking";

    public JitService {
        Objects.requireNonNull(compiler, "compiler");
        arch = HostArch.normalize(arch);
    }

    /** The service with its registration properties (any of which may be absent). */
    public static JitService of(JitCompiler compiler, Map<String, ?> props, long order) {
        Object arch = props.get(JitCompiler.PROP_ARCH);
        Object sdt = props.get(JitCompiler.PROP_SDT_PROBE);
        Object rank = props.get(RANKING);
        return new JitService(compiler,
                arch != null ? arch.toString() : compiler.architecture(),
                sdt != null ? Boolean.parseBoolean(sdt.toString()) : compiler.supportsSdtProbes(),
                rank instanceof Number n ? n.intValue() : rank != null ? Integer.parseInt(rank.toString().trim()) : 0,
                order);
    }

    /** Whether its code runs in this process: the host's architecture and the compiler agrees. */
    public boolean runsHere(String hostArch) {
        return arch.equals(hostArch) && compiler.runsOnHost();
    }

    public EngineInfo info(String hostArch) {
        return new EngineInfo(arch, arch, ranking, runsHere(hostArch), sdtProbes);
    }

    /** Better than {@code other} for the same program: higher ranking, then registered earlier. */
    public boolean beats(JitService other) {
        return ranking != other.ranking ? ranking > other.ranking : order < other.order;
    }
}
