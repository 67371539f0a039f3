/** Test support: the running kernel as an oracle through its bpf() syscall. */
module org.bpfsdt.oracle {
    requires org.bpfsdt.api;
    requires org.bpfsdt.loader;
    requires static osgi.annotation;

    exports org.bpfsdt.oracle;
}
