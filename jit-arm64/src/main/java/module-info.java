module org.bpfsdt.jit.arm64 {
    requires org.bpfsdt.api;
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
}
