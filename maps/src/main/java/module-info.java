/** Every map type of bpf-sdt, provided as a {@link org.bpfsdt.api.spi.MapProvider} service. */
module org.bpfsdt.maps {
    requires org.bpfsdt.api;
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;

    provides org.bpfsdt.api.spi.MapProvider with org.bpfsdt.maps.StandardMapProvider;
}
