package org.bpfsdt.api.spi;

/** What a helper returns, as the kernel's {@code enum bpf_return_type}. */
public enum RetType {
    /** A scalar. */
    INTEGER,
    /** Nothing (r0 is not readable afterwards). */
    VOID,
    /** A value of the map argument, or NULL. */
    PTR_TO_MAP_VALUE_OR_NULL,
    /** Memory of the size given by the constant size argument, or NULL; a reference to release (ring buffer). */
    PTR_TO_ALLOC_MEM_OR_NULL
}
