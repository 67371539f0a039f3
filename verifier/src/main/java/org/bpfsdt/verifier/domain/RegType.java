package org.bpfsdt.verifier.domain;

/** What a register holds, as the kernel's {@code enum bpf_reg_type} (base types; modifiers are {@link RegState#flags}). */
public enum RegType {
    NOT_INIT("?"),
    SCALAR("scalar"),
    PTR_TO_CTX("ctx"),
    CONST_PTR_TO_MAP("map_ptr"),
    PTR_TO_MAP_VALUE("map_value"),
    PTR_TO_MAP_KEY("map_key"),
    PTR_TO_STACK("fp"),
    PTR_TO_PACKET_META("pkt_meta"),
    PTR_TO_PACKET("pkt"),
    PTR_TO_PACKET_END("pkt_end"),
    /** Sized memory: ring buffer records, read-only strings. */
    PTR_TO_MEM("mem"),
    /** A subprogram's address (callbacks). */
    PTR_TO_FUNC("func"),
    /** A BTF-typed pointer to a struct the program may read (SDT observer arguments). */
    PTR_TO_BTF_ID("ptr_");

    private final String logName;

    RegType(String logName) {
        this.logName = logName;
    }

    /** The kernel log's name of the base type. */
    public String logName() {
        return logName;
    }

    public boolean isPacket() {
        return this == PTR_TO_PACKET || this == PTR_TO_PACKET_META;
    }
}
