/** Links and their lifecycle: BPF SDT links and the trampolines of their probes. */
module org.bpfsdt.links {
    requires org.bpfsdt.api;
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;

    provides org.bpfsdt.api.spi.LinkProvider with org.bpfsdt.links.SdtLinkProvider;
}
