/**
 * The runnable product: the {@code bpfsdt} command line (run here on the module path, finding the
 * runtime with {@link java.util.ServiceLoader}), the same commands in the Gogo shell of the OSGi
 * distribution, and the Felix launcher of that distribution.
 */
module org.bpfsdt.distribution {
    requires org.bpfsdt.api;
    requires org.bpfsdt.loader;
    requires info.picocli;
    requires static osgi.annotation;
    requires static osgi.core;
    requires static org.osgi.service.component.annotations;

    uses org.bpfsdt.api.BpfRuntime;

    // picocli fills the command objects' annotated fields reflectively
    opens org.bpfsdt.distribution.cli to info.picocli;
    opens org.bpfsdt.distribution.cli.prog to info.picocli;
    opens org.bpfsdt.distribution.cli.obj to info.picocli;
    opens org.bpfsdt.distribution.cli.sdt to info.picocli;
}
