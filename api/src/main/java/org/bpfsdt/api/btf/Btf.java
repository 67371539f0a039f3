package org.bpfsdt.api.btf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;

/**
 * A set of BTF types, indexed by id (id 0 is {@code void}). Immutable. The loader builds it
 * from an object's {@code .BTF} section; the runtime describes its own context types with one.
 */
public final class Btf {
    private static final int MAX_RESOLVE_DEPTH = 32;

    private final List<BtfType> types;

    /** {@code types.get(0)} must be {@link BtfType.Void}. */
    public Btf(List<BtfType> types) {
        if (types.isEmpty() || !(types.get(0) instanceof BtfType.Void)) {
            throw BpfException.einval("BTF type 0 must be void");
        }
        this.types = List.copyOf(types);
    }

    public List<BtfType> types() {
        return types;
    }

    public int size() {
        return types.size();
    }

    /** The type with this id; {@code EINVAL} when there is none. */
    public BtfType type(int id) {
        if (id < 0 || id >= types.size()) {
            throw BpfException.einval("BTF type id " + id + " does not exist (" + types.size() + " types)");
        }
        return types.get(id);
    }

    /** The id after skipping typedefs, const, volatile, restrict and type tags. */
    public int skipModifiers(int id) {
        int cur = id;
        for (int depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
            switch (type(cur)) {
                case BtfType.Typedef t -> cur = t.type();
                case BtfType.Const t -> cur = t.type();
                case BtfType.Volatile t -> cur = t.type();
                case BtfType.Restrict t -> cur = t.type();
                case BtfType.TypeTag t -> cur = t.type();
                default -> {
                    return cur;
                }
            }
        }
        throw new BpfException(Errno.ELOOP, "BTF type " + id + ": modifier chain is too long or loops");
    }

    /** The type after {@link #skipModifiers}. */
    public BtfType resolve(int id) {
        return type(skipModifiers(id));
    }

    /** The size in bytes of a sized type (ints, pointers, arrays, structs, enums...). */
    public long sizeOf(int id) {
        return sizeOf(id, 0);
    }

    private long sizeOf(int id, int depth) {
        if (depth > MAX_RESOLVE_DEPTH) {
            throw new BpfException(Errno.ELOOP, "BTF type " + id + ": type chain is too deep or loops");
        }
        BtfType t = resolve(id);
        return switch (t) {
            case BtfType.Int i -> i.size();
            case BtfType.Ptr p -> 8;
            case BtfType.Array a -> Math.multiplyExact((long) a.nelems(), sizeOf(a.elemType(), depth + 1));
            case BtfType.Struct s -> s.size();
            case BtfType.Union u -> u.size();
            case BtfType.Enum e -> e.size();
            case BtfType.Enum64 e -> e.size();
            case BtfType.Float f -> f.size();
            case BtfType.Datasec d -> d.size();
            case BtfType.Var v -> sizeOf(v.type(), depth + 1);
            default -> throw BpfException.einval("BTF type " + id + " (" + t.kind() + ") has no size");
        };
    }

    /** The first type of {@code kind} named {@code name}, by id. */
    public Optional<Integer> find(BtfKind kind, String name) {
        for (int i = 1; i < types.size(); i++) {
            BtfType t = types.get(i);
            if (t.kind() == kind && t.name().equals(name)) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    /** All ids of types of {@code kind}. */
    public List<Integer> idsOf(BtfKind kind) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i < types.size(); i++) {
            if (types.get(i).kind() == kind) {
                out.add(i);
            }
        }
        return out;
    }

    /** A C spelling of the type with this id, as a declaration of nothing: {@code const char *}, {@code struct xdp_md}. */
    public String typeName(int id) {
        return BtfCDump.typeName(this, id);
    }
}
