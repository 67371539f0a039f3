/** The libbpf of bpf-sdt: ELF, BTF and BTF.ext, relocations, maps and globals, and the object API. */
module org.bpfsdt.loader {
    requires transitive org.bpfsdt.api;
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;

    exports org.bpfsdt.loader;
}
