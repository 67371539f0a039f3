package org.bpfsdt.api.btf;

/** BTF kinds with their numbers in the BTF wire format. */
public enum BtfKind {
    VOID(0), INT(1), PTR(2), ARRAY(3), STRUCT(4), UNION(5), ENUM(6), FWD(7), TYPEDEF(8), VOLATILE(9),
    CONST(10), RESTRICT(11), FUNC(12), FUNC_PROTO(13), VAR(14), DATASEC(15), FLOAT(16), DECL_TAG(17),
    TYPE_TAG(18), ENUM64(19);

    private final int number;

    BtfKind(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The kind with wire number {@code n}, or {@code null}. */
    public static BtfKind byNumber(int n) {
        return n >= 0 && n < values().length ? values()[n] : null;
    }
}
