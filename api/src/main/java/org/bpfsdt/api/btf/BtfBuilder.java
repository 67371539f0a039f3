package org.bpfsdt.api.btf;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Btf} type by type; each {@code add} returns the new type's id. For runtime
 * type descriptions and tests, where writing BTF bytes would only obscure the types.
 */
public final class BtfBuilder {
    private final List<BtfType> types = new ArrayList<>(List.of(new BtfType.Void()));

    /** Adds {@code type}; returns its id. */
    public int add(BtfType type) {
        types.add(type);
        return types.size() - 1;
    }

    /** An unsigned (or signed) integer of {@code size} bytes. */
    public int integer(String name, int size, boolean signed) {
        return add(new BtfType.Int(name, size, signed ? BtfType.Int.SIGNED : 0, 0, size * 8));
    }

    public int typedef(String name, int type) {
        return add(new BtfType.Typedef(name, type));
    }

    public int ptr(int type) {
        return add(new BtfType.Ptr(type));
    }

    public int array(int elemType, int indexType, int nelems) {
        return add(new BtfType.Array(elemType, indexType, nelems));
    }

    public int struct(String name, int size, List<BtfType.Member> members) {
        return add(new BtfType.Struct(name, size, members));
    }

    public int union(String name, int size, List<BtfType.Member> members) {
        return add(new BtfType.Union(name, size, members));
    }

    /** A member at byte offset {@code byteOffset}. */
    public static BtfType.Member member(String name, int type, int byteOffset) {
        return new BtfType.Member(name, type, byteOffset * 8, 0);
    }

    /** The id the next {@code add} will return. */
    public int nextId() {
        return types.size();
    }

    public Btf build() {
        return new Btf(types);
    }
}
