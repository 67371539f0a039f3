package org.bpfsdt.api.spi;

/** What a helper argument must be, as the kernel's {@code enum bpf_arg_type}. */
public enum ArgType {
    /** Unused argument. */
    DONTCARE,
    /** Any initialised value. */
    ANYTHING,
    /** A map pointer ({@code const struct bpf_map *}). */
    CONST_MAP_PTR,
    /** Points to a readable key of the map in the map argument. */
    PTR_TO_MAP_KEY,
    /** Points to a readable value of the map in the map argument. */
    PTR_TO_MAP_VALUE,
    /** Points to memory the helper fills with a value of the map (may be uninitialised). */
    PTR_TO_UNINIT_MAP_VALUE,
    /** Points to readable memory whose size is the next argument. */
    PTR_TO_MEM,
    /** Like {@link #PTR_TO_MEM}, or NULL with size 0. */
    PTR_TO_MEM_OR_NULL,
    /** Points to writable memory the helper fills; size in the next argument. */
    PTR_TO_UNINIT_MEM,
    /** A size (of the previous memory argument), known and positive. */
    CONST_SIZE,
    /** A size that may be zero. */
    CONST_SIZE_OR_ZERO,
    /** A constant allocation size, possibly zero (ring buffer reserve). */
    CONST_ALLOC_SIZE_OR_ZERO,
    /** The program's context pointer. */
    PTR_TO_CTX,
    /** Memory from {@code bpf_ringbuf_reserve}, released by the call. */
    PTR_TO_RINGBUF_MEM_RELEASE,
    /** A {@code struct bpf_spin_lock} inside a map value. */
    PTR_TO_SPIN_LOCK,
    /** A callback subprogram (loaded with {@code BPF_PSEUDO_FUNC}). */
    PTR_TO_FUNC,
    /** Stack memory or NULL (a callback's context). */
    PTR_TO_STACK_OR_NULL,
    /** A NUL-terminated string in read-only map memory. */
    PTR_TO_CONST_STR,
    /** A pointer to a long on the stack the helper writes. */
    PTR_TO_LONG
}
