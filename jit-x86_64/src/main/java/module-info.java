/** The x86-64 JIT back end: a {@link org.bpfsdt.api.spi.JitCompiler} service. */
@SuppressWarnings("module") // the architecture's name ends in digits
module org.bpfsdt.jit.x86_64 {
    requires org.bpfsdt.api;
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;

    provides org.bpfsdt.api.spi.JitCompiler with org.bpfsdt.jit.x86_64.X86JitCompiler;
}
