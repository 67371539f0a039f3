package org.bpfsdt.core.osgi;

import java.util.Map;

import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.api.spi.LinkProvider;
import org.bpfsdt.api.spi.MapProvider;
import org.bpfsdt.api.spi.Verifier;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The runtime as a Declarative Services component: JIT services, verifiers, map providers and
 * link providers are tracked as they come and go (dynamic, multiple, greedy references), so a
 * JIT bundle dropped in or stopped moves programs between engines while they run.
 */
@Component(service = BpfRuntime.class, immediate = true)
public class BpfRuntimeComponent extends CoreRuntime {

    @Reference(service = JitCompiler.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindJit")
    void bindJit(JitCompiler jit, Map<String, Object> props) {
        addJit(jit, props);
    }

    void unbindJit(JitCompiler jit) {
        removeJit(jit);
    }

    @Reference(service = Verifier.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindVerifier")
    void bindVerifier(Verifier v, Map<String, Object> props) {
        addVerifier(v, props);
    }

    void unbindVerifier(Verifier v) {
        removeVerifier(v);
    }

    @Reference(service = MapProvider.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindMapProvider")
    void bindMapProvider(MapProvider p, Map<String, Object> props) {
        addMapProvider(p, props);
    }

    void unbindMapProvider(MapProvider p) {
        removeMapProvider(p);
    }

    @Reference(service = LinkProvider.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindLinkProvider")
    void bindLinkProvider(LinkProvider p, Map<String, Object> props) {
        addLinkProvider(p, props);
    }

    void unbindLinkProvider(LinkProvider p) {
        removeLinkProvider(p);
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
