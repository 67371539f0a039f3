/** Test support: the running kernel as an oracle through its bpf() syscall. */
module org.bpfsdt.oracle {
    requires org.bpfsdt.api;
    requires static osgi.annotation;

    exports org.bpfsdt.oracle;
}
