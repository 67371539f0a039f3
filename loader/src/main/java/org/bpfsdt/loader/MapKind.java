package org.bpfsdt.loader;

/** Where a map of an object comes from. */
public enum MapKind {
    /** A BTF-defined map in {@code .maps}. */
    DEFINED,
    /** {@code .data} or {@code .data.*}: read-write global variables. */
    DATA,
    /** {@code .rodata} or {@code .rodata.*}: constants, read-only for programs and frozen after load. */
    RODATA,
    /** {@code .bss}: zero-initialised global variables. */
    BSS;

    public boolean isGlobalData() {
        return this != DEFINED;
    }
}
