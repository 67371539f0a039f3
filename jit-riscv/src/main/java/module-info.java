module org.bpfsdt.jit.riscv {
    requires org.bpfsdt.api;
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
}
