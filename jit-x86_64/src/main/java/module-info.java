module org.bpfsdt.jit.x86_64 {
    requires org.bpfsdt.api;
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
}
