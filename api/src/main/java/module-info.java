/** The versioned API and SPI of bpf-sdt: the only packages bundles share. */
module org.bpfsdt.api {
    requires static osgi.annotation;

    exports org.bpfsdt.api;
    exports org.bpfsdt.api.isa;
    exports org.bpfsdt.api.btf;
    exports org.bpfsdt.api.spi;

    uses org.bpfsdt.api.BpfRuntime;
}
