/**
 * The runtime facade, the interpreter, engine resolution. Exports nothing: users reach it as a
 * {@link org.bpfsdt.api.BpfRuntime} service (OSGi) or through {@link java.util.ServiceLoader}.
 */
module org.bpfsdt.core {
    requires org.bpfsdt.api;
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;

    uses org.bpfsdt.api.spi.JitCompiler;
    uses org.bpfsdt.api.spi.Verifier;
    uses org.bpfsdt.api.spi.MapProvider;
    uses org.bpfsdt.api.spi.LinkProvider;

    provides org.bpfsdt.api.BpfRuntime with org.bpfsdt.core.runtime.ServiceLoaderRuntime;
}
