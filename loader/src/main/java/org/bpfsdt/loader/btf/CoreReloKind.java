package org.bpfsdt.loader.btf;

/** The kinds of {@code struct bpf_core_relo}, with the numbers of {@code enum bpf_core_relo_kind}. */
public enum CoreReloKind {
    FIELD_BYTE_OFFSET("byte_off"), FIELD_BYTE_SIZE("byte_sz"), FIELD_EXISTS("field_exists"), FIELD_SIGNED("signed"),
    FIELD_LSHIFT_U64("lshift_u64"), FIELD_RSHIFT_U64("rshift_u64"), TYPE_ID_LOCAL("local_type_id"),
    TYPE_ID_TARGET("target_type_id"), TYPE_EXISTS("type_exists"), TYPE_SIZE("type_size"),
    ENUMVAL_EXISTS("enumval_exists"), ENUMVAL_VALUE("enumval_value"), TYPE_MATCHES("type_matches");

    private final String libbpfName;

    CoreReloKind(String libbpfName) {
        this.libbpfName = libbpfName;
    }

    /** The name libbpf prints for this kind. */
    public String libbpfName() {
        return libbpfName;
    }

    public boolean isFieldBased() {
        return ordinal() <= FIELD_RSHIFT_U64.ordinal();
    }

    public boolean isEnumValueBased() {
        return this == ENUMVAL_EXISTS || this == ENUMVAL_VALUE;
    }

    /** The kind with wire number {@code n}, or {@code null}. */
    public static CoreReloKind byNumber(long n) {
        return n >= 0 && n < values().length ? values()[(int) n] : null;
    }
}
