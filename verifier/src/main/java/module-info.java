/** The verifier: decides whether a BPF program is safe and rewrites it for the engines. */
module org.bpfsdt.verifier {
    requires org.bpfsdt.api;
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;

    provides org.bpfsdt.api.spi.Verifier with org.bpfsdt.verifier.BpfVerifier;
}
