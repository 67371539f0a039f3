package org.bpfsdt.api.spi;

import java.util.List;
import java.util.Optional;

/**
 * The context a program type sees through r1 ({@code struct xdp_md}, {@code struct __sk_buff},
 * the u64 arguments of a tracing program) and how each field maps to the native context the
 * runtime really passes, as the kernel's {@code is_valid_access}/{@code convert_ctx_access}
 * describe. The verifier checks every context access against it and rewrites the access to the
 * native field, so engines see plain loads and stores.
 *
 * @param name       the C type ({@code xdp_md})
 * @param size       bytes of the context as the program sees it
 * @param fields     its accessible fields
 * @param nativeSize bytes of the native context
 */
public record ContextLayout(String name, int size, List<Field> fields, int nativeSize) {

    public ContextLayout {
        fields = List.copyOf(fields);
    }

    /** What a loaded field holds. */
    public enum Kind {
        SCALAR, PACKET, PACKET_END, PACKET_META
    }

    /**
     * A field.
     *
     * @param name         C name
     * @param offset       offset in the program's view
     * @param size         size in the program's view
     * @param readable     loads allowed
     * @param writable     stores allowed
     * @param narrowLoads  loads of fewer bytes (at any offset inside the field) are allowed
     * @param kind         what a load yields
     * @param nativeOffset offset of the backing field in the native context
     * @param nativeSize   size of the backing field (a pointer field is 8 bytes natively)
     */
    public record Field(String name, int offset, int size, boolean readable, boolean writable, boolean narrowLoads,
                        Kind kind, int nativeOffset, int nativeSize) {
        public boolean covers(int off, int len) {
            return off >= offset && off + len <= offset + size;
        }
    }

    /** The field that contains bytes {@code [off, off+len)}, if one does. */
    public Optional<Field> fieldAt(int off, int len) {
        for (Field f : fields) {
            if (f.covers(off, len)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
