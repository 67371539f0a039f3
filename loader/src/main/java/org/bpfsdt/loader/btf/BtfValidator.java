package org.bpfsdt.loader.btf;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfKind;
import org.bpfsdt.api.btf.BtfType;

/**
 * Checks what the wire format cannot: every type id refers to an existing type of an allowed
 * kind, sizes and member offsets are consistent, and no type contains itself by value (a struct
 * holding itself, a typedef cycle). Only pointers may close a cycle, as in C.
 */
public final class BtfValidator {
    private static final long MAX_SIZE = 0xffffffffL;

    private final List<BtfType> types;
    private final String where;
    private long[] sizes;

    private BtfValidator(List<BtfType> types, String where) {
        this.types = types;
        this.where = where;
    }

    /** Validates {@code types} and wraps them; errors start with {@code where}. */
    public static Btf validate(List<BtfType> types, String where) {
        BtfValidator v = new BtfValidator(types, where);
        for (int id = 1; id < types.size(); id++) {
            v.checkType(id);
        }
        v.checkNoValueCycles();
        v.computeSizes();
        for (int id = 1; id < types.size(); id++) {
            v.checkLayout(id);
        }
        return new Btf(types);
    }

    private BpfException error(int id, String message) {
        return new BpfException(Errno.EINVAL, where + ": " + describe(id) + ": " + message);
    }

    private String describe(int id) {
        BtfType t = types.get(id);
        return "type [" + id + "] " + t.kind() + (t.name().isEmpty() ? "" : " '" + t.name() + "'");
    }

    private void ref(int id, int target, String what, boolean voidAllowed) {
        if (target < 0 || target >= types.size()) {
            throw error(id, what + " refers to type id " + Integer.toUnsignedString(target) + ", which does not exist ("
                    + types.size() + " types)");
        }
        if (!voidAllowed && target == 0) {
            throw error(id, what + " is void");
        }
    }

    private void checkType(int id) {
        BtfType t = types.get(id);
        switch (t) {
            case BtfType.Int i -> {
                if (i.size() != 1 && i.size() != 2 && i.size() != 4 && i.size() != 8 && i.size() != 16) {
                    throw error(id, "size " + i.size() + " is not 1, 2, 4, 8 or 16");
                }
                if (i.bits() == 0 || i.bits() > 128 || i.bitOffset() + i.bits() > i.size() * 8) {
                    throw error(id, i.bits() + " bits at bit offset " + i.bitOffset() + " do not fit in " + i.size() + " bytes");
                }
                if (Integer.bitCount(i.encoding()) > 1 || (i.encoding() & ~7) != 0) {
                    throw error(id, "invalid encoding " + i.encoding());
                }
            }
            case BtfType.Ptr p -> ref(id, p.type(), "pointee", true);
            case BtfType.Array a -> {
                ref(id, a.elemType(), "element type", false);
                ref(id, a.indexType(), "index type", true);
                if (a.nelems() < 0) {
                    throw error(id, "element count " + Integer.toUnsignedString(a.nelems()) + " is too large");
                }
            }
            case BtfType.Struct s -> checkMembers(id, s.members());
            case BtfType.Union u -> checkMembers(id, u.members());
            case BtfType.Enum e -> checkEnumSize(id, e.size());
            case BtfType.Enum64 e -> checkEnumSize(id, e.size());
            case BtfType.Fwd f -> requireName(id, f.name());
            case BtfType.Typedef td -> {
                requireName(id, td.name());
                ref(id, td.type(), "target", true);
            }
            case BtfType.Volatile m -> ref(id, m.type(), "target", true);
            case BtfType.Const m -> ref(id, m.type(), "target", true);
            case BtfType.Restrict m -> ref(id, m.type(), "target", true);
            case BtfType.TypeTag m -> {
                requireName(id, m.name());
                ref(id, m.type(), "target", true);
            }
            case BtfType.Func f -> {
                requireName(id, f.name());
                ref(id, f.type(), "prototype", false);
                if (!(types.get(f.type()) instanceof BtfType.FuncProto)) {
                    throw error(id, "prototype [" + f.type() + "] is a " + types.get(f.type()).kind() + ", not a FUNC_PROTO");
                }
                if (f.linkage() < 0 || f.linkage() > 2) {
                    throw error(id, "unknown linkage " + f.linkage());
                }
            }
            case BtfType.FuncProto fp -> {
                ref(id, fp.returnType(), "return type", true);
                for (int i = 0; i < fp.params().size(); i++) {
                    BtfType.Param prm = fp.params().get(i);
                    boolean last = i == fp.params().size() - 1;
                    ref(id, prm.type(), "parameter " + i, last);
                    if (prm.type() == 0 && !prm.name().isEmpty()) {
                        throw error(id, "variadic parameter " + i + " has a name");
                    }
                }
            }
            case BtfType.Var v -> {
                requireName(id, v.name());
                ref(id, v.type(), "type", false);
                if (v.linkage() < 0 || v.linkage() > 2) {
                    throw error(id, "unknown linkage " + v.linkage());
                }
            }
            case BtfType.Datasec d -> {
                requireName(id, d.name());
                for (int i = 0; i < d.vars().size(); i++) {
                    BtfType.VarSecInfo vi = d.vars().get(i);
                    ref(id, vi.type(), "variable " + i, false);
                    BtfType vt = types.get(vi.type());
                    if (!(vt instanceof BtfType.Var) && !(vt instanceof BtfType.Func)) {
                        throw error(id, "variable " + i + " is a " + vt.kind() + ", not a VAR");
                    }
                }
            }
            case BtfType.Float f -> {
                if (f.size() != 2 && f.size() != 4 && f.size() != 8 && f.size() != 12 && f.size() != 16) {
                    throw error(id, "size " + f.size() + " is not 2, 4, 8, 12 or 16");
                }
            }
            case BtfType.DeclTag dt -> checkDeclTag(id, dt);
            case BtfType.Void v -> throw error(id, "void may only be type 0");
        }
    }

    private void requireName(int id, String name) {
        if (name.isEmpty()) {
            throw error(id, "needs a name");
        }
    }

    private void checkEnumSize(int id, int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw error(id, "size " + size + " is not 1, 2, 4 or 8");
        }
    }

    private void checkMembers(int id, List<BtfType.Member> members) {
        for (int i = 0; i < members.size(); i++) {
            BtfType.Member m = members.get(i);
            ref(id, m.type(), "member " + i + " '" + m.name() + "'", false);
            BtfType mt = types.get(m.type());
            if (mt instanceof BtfType.Func || mt instanceof BtfType.FuncProto || mt instanceof BtfType.Var
                    || mt instanceof BtfType.Datasec || mt instanceof BtfType.DeclTag) {
                throw error(id, "member " + i + " '" + m.name() + "' has type [" + m.type() + "] of kind " + mt.kind());
            }
        }
    }

    private void checkDeclTag(int id, BtfType.DeclTag dt) {
        requireName(id, dt.name());
        ref(id, dt.type(), "tagged type", false);
        BtfType target = types.get(dt.type());
        int components = switch (target) {
            case BtfType.Struct s -> s.members().size();
            case BtfType.Union u -> u.members().size();
            case BtfType.Func f -> f.type() >= 0 && f.type() < types.size() && types.get(f.type()) instanceof BtfType.FuncProto fp
                    ? fp.params().size() : 0;
            case BtfType.Var v -> 0;
            case BtfType.Typedef td -> 0;
            default -> throw error(id, "tags a " + target.kind() + "; only STRUCT, UNION, VAR, FUNC and TYPEDEF can be tagged");
        };
        if (dt.componentIdx() < -1 || dt.componentIdx() >= components) {
            throw error(id, "component index " + dt.componentIdx() + " is out of range (" + components + " components)");
        }
    }

    /** The types {@code t} holds by value: everything it refers to except a pointer's target. */
    private static List<Integer> valueEdges(BtfType t) {
        return switch (t) {
            case BtfType.Array a -> List.of(a.elemType());
            case BtfType.Struct s -> s.members().stream().map(BtfType.Member::type).toList();
            case BtfType.Union u -> u.members().stream().map(BtfType.Member::type).toList();
            case BtfType.Typedef td -> List.of(td.type());
            case BtfType.Volatile m -> List.of(m.type());
            case BtfType.Const m -> List.of(m.type());
            case BtfType.Restrict m -> List.of(m.type());
            case BtfType.TypeTag m -> List.of(m.type());
            case BtfType.Func f -> List.of(f.type());
            case BtfType.FuncProto fp -> {
                List<Integer> out = new ArrayList<>();
                out.add(fp.returnType());
                fp.params().forEach(p -> out.add(p.type()));
                yield out;
            }
            case BtfType.Var v -> List.of(v.type());
            case BtfType.Datasec d -> d.vars().stream().map(BtfType.VarSecInfo::type).toList();
            case BtfType.DeclTag dt -> List.of(dt.type());
            default -> List.of();
        };
    }

    /** A type on the search path with its by-value edges and the next one to follow. */
    private static final class Frame {
        final int id;
        final List<Integer> edges;
        int next;

        Frame(int id, List<Integer> edges) {
            this.id = id;
            this.edges = edges;
        }
    }

    /** Iterative depth-first search, so a long chain of types cannot overflow the Java stack. */
    private void checkNoValueCycles() {
        int n = types.size();
        byte[] state = new byte[n]; // 0 new, 1 on the current path, 2 done
        for (int root = 1; root < n; root++) {
            if (state[root] != 0) {
                continue;
            }
            List<Frame> stack = new ArrayList<>();
            stack.add(new Frame(root, valueEdges(types.get(root))));
            state[root] = 1;
            while (!stack.isEmpty()) {
                Frame top = stack.get(stack.size() - 1);
                if (top.next >= top.edges.size()) {
                    state[top.id] = 2;
                    stack.remove(stack.size() - 1);
                    continue;
                }
                int next = top.edges.get(top.next++);
                if (next == 0) {
                    continue;
                }
                if (state[next] == 1) {
                    throw error(next, "contains itself by value: " + cyclePath(stack, next));
                }
                if (state[next] == 0) {
                    state[next] = 1;
                    stack.add(new Frame(next, valueEdges(types.get(next))));
                }
            }
        }
    }

    private String cyclePath(List<Frame> stack, int start) {
        StringBuilder sb = new StringBuilder();
        boolean on = false;
        for (Frame frame : stack) {
            if (frame.id == start) {
                on = true;
            }
            if (on) {
                sb.append(describe(frame.id)).append(" -> ");
            }
        }
        return sb.append('[').append(start).append(']').toString();
    }

    /** Sizes of all sized types, bottom-up (no recursion: cycles are already excluded). */
    private void computeSizes() {
        int n = types.size();
        sizes = new long[n];
        java.util.Arrays.fill(sizes, -2); // -2 unknown, -1 unsized
        sizes[0] = -1;
        for (int root = 1; root < n; root++) {
            List<Integer> stack = new ArrayList<>();
            stack.add(root);
            while (!stack.isEmpty()) {
                int id = stack.get(stack.size() - 1);
                if (sizes[id] != -2) {
                    stack.remove(stack.size() - 1);
                    continue;
                }
                int dep = sizeDependency(types.get(id));
                if (dep > 0 && sizes[dep] == -2) {
                    stack.add(dep);
                    continue;
                }
                sizes[id] = ownSize(id, dep > 0 ? sizes[dep] : -1);
                stack.remove(stack.size() - 1);
            }
        }
    }

    private static int sizeDependency(BtfType t) {
        return switch (t) {
            case BtfType.Array a -> a.elemType();
            case BtfType.Typedef td -> td.type();
            case BtfType.Volatile m -> m.type();
            case BtfType.Const m -> m.type();
            case BtfType.Restrict m -> m.type();
            case BtfType.TypeTag m -> m.type();
            case BtfType.Var v -> v.type();
            default -> 0;
        };
    }

    private long ownSize(int id, long depSize) {
        BtfType t = types.get(id);
        long size = switch (t) {
            case BtfType.Int i -> i.size();
            case BtfType.Ptr p -> 8;
            case BtfType.Array a -> {
                if (depSize < 0) {
                    throw error(id, "element type [" + a.elemType() + "] has no size");
                }
                yield depSize * a.nelems();
            }
            case BtfType.Struct s -> Integer.toUnsignedLong(s.size());
            case BtfType.Union u -> Integer.toUnsignedLong(u.size());
            case BtfType.Enum e -> e.size();
            case BtfType.Enum64 e -> e.size();
            case BtfType.Float f -> f.size();
            case BtfType.Datasec d -> Integer.toUnsignedLong(d.size());
            case BtfType.Typedef td -> depSize;
            case BtfType.Volatile m -> depSize;
            case BtfType.Const m -> depSize;
            case BtfType.Restrict m -> depSize;
            case BtfType.TypeTag m -> depSize;
            case BtfType.Var v -> depSize;
            default -> -1;
        };
        if (size > MAX_SIZE) {
            throw error(id, "size " + size + " exceeds 4 GiB");
        }
        return size;
    }

    private void checkLayout(int id) {
        switch (types.get(id)) {
            case BtfType.Struct s -> checkMemberLayout(id, s.size(), s.members());
            case BtfType.Union u -> checkMemberLayout(id, u.size(), u.members());
            case BtfType.Datasec d -> {
                long total = Integer.toUnsignedLong(d.size());
                for (int i = 0; i < d.vars().size(); i++) {
                    BtfType.VarSecInfo vi = d.vars().get(i);
                    BtfType vt = types.get(vi.type());
                    if (vt instanceof BtfType.Func || vt instanceof BtfType.Var v && v.linkage() == 2) {
                        continue; // externs (.ksyms, .kconfig) have no place in an ELF section
                    }
                    long off = Integer.toUnsignedLong(vi.offset()), len = Integer.toUnsignedLong(vi.size());
                    if (off + len > total) {
                        throw error(id, "variable " + i + " ('" + types.get(vi.type()).name() + "') at offset " + off + " (" + len
                                + " bytes) lies outside the section's " + total + " bytes");
                    }
                }
            }
            default -> {
            }
        }
    }

    private void checkMemberLayout(int id, int structSize, List<BtfType.Member> members) {
        long bits = Integer.toUnsignedLong(structSize) * 8;
        for (int i = 0; i < members.size(); i++) {
            BtfType.Member m = members.get(i);
            long msize = sizes[m.type()];
            long width = m.bitfieldSize() > 0 ? m.bitfieldSize() : msize < 0 ? 0 : msize * 8;
            if (m.bitfieldSize() > 0 && (msize < 0 || m.bitfieldSize() > msize * 8)) {
                throw error(id, "member " + i + " '" + m.name() + "': bitfield of " + m.bitfieldSize() + " bits is wider than its type");
            }
            if (Integer.toUnsignedLong(m.bitOffset()) + width > bits) {
                throw error(id, "member " + i + " '" + m.name() + "' at bit " + Integer.toUnsignedLong(m.bitOffset()) + " ("
                        + width + " bits) lies outside the " + structSize + " bytes of the type");
            }
        }
    }
}
