package org.bpfsdt.api.btf;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The named types of a {@link Btf} as C declarations, in an order a C compiler accepts (like
 * {@code bpftool btf dump file F format c}): each type after the types it holds by value,
 * forward declarations where only a pointer needs the name, anonymous structs, unions and enums
 * written inline. Functions, variables and sections are not types and are left out. It also
 * spells single types for messages ({@link Btf#typeName}).
 */
public final class BtfCDump {
    private static final int MAX_DEPTH = 64;

    private final Btf btf;
    /** Whether anonymous structs, unions and enums are written out (declarations) or only named by kind (type names). */
    private final boolean anonymousBodies;
    private final StringBuilder out = new StringBuilder();
    private final Set<Integer> emitted = new HashSet<>();
    private final Set<Integer> inProgress = new HashSet<>();
    private final Set<String> forwarded = new HashSet<>();

    private BtfCDump(Btf btf, boolean anonymousBodies) {
        this.btf = btf;
        this.anonymousBodies = anonymousBodies;
    }

    /** The C declarations of every named type of {@code btf}. */
    public static String dump(Btf btf) {
        BtfCDump d = new BtfCDump(btf, true);
        for (int id = 1; id < btf.size(); id++) {
            if (isNamedDefinition(btf.type(id))) {
                d.emit(id, 0);
            }
        }
        return d.out.toString();
    }

    /** The declaration of {@code name} with type {@code id}, anonymous types inlined: {@code struct { int a; } x}. */
    public static String declaration(Btf btf, int id, String name) {
        return new BtfCDump(btf, true).decl(id, name, 0, 0);
    }

    /** {@link Btf#typeName}: the type as a declaration of nothing, anonymous types named by their kind ({@code struct}). */
    static String typeName(Btf btf, int id) {
        return new BtfCDump(btf, false).decl(id, "", 0, 0).trim();
    }

    private static boolean isNamedDefinition(BtfType t) {
        return !t.name().isEmpty() && (t instanceof BtfType.Struct || t instanceof BtfType.Union || t instanceof BtfType.Enum
                || t instanceof BtfType.Enum64 || t instanceof BtfType.Typedef || t instanceof BtfType.Fwd);
    }

    private void emit(int id, int depth) {
        if (emitted.contains(id) || inProgress.contains(id) || depth > MAX_DEPTH) {
            return;
        }
        inProgress.add(id);
        List<Integer> byValue = new ArrayList<>(), byPointer = new ArrayList<>();
        dependencies(id, byValue, byPointer, false, 0, true);
        for (int dep : byValue) {
            emit(dep, depth + 1);
        }
        for (int dep : byPointer) {
            if (!emitted.contains(dep)) {
                forward(dep);
            }
        }
        BtfType t = btf.type(id);
        switch (t) {
            case BtfType.Struct s -> out.append(decl(id, "", 0, 0, true)).append(";\n\n");
            case BtfType.Union u -> out.append(decl(id, "", 0, 0, true)).append(";\n\n");
            case BtfType.Enum e -> out.append(decl(id, "", 0, 0, true)).append(";\n\n");
            case BtfType.Enum64 e -> out.append(decl(id, "", 0, 0, true)).append(";\n\n");
            case BtfType.Typedef td -> out.append("typedef ").append(decl(td.type(), td.name(), 0, 0)).append(";\n\n");
            case BtfType.Fwd f -> forward(id);
            default -> {
            }
        }
        inProgress.remove(id);
        emitted.add(id);
    }

    private void forward(int id) {
        BtfType t = btf.type(id);
        String kw = t instanceof BtfType.Union || (t instanceof BtfType.Fwd f && f.union()) ? "union" : "struct";
        if (t.name().isEmpty() || !forwarded.add(kw + " " + t.name())) {
            return;
        }
        out.append(kw).append(' ').append(t.name()).append(";\n\n");
    }

    /** Named types {@code id} needs defined first ({@code byValue}) or only declared ({@code byPointer}). */
    private void dependencies(int id, List<Integer> byValue, List<Integer> byPointer, boolean viaPointer, int depth, boolean root) {
        if (depth > MAX_DEPTH) {
            return;
        }
        BtfType t = btf.type(id);
        if (!root && isNamedDefinition(t)) {
            boolean composite = t instanceof BtfType.Struct || t instanceof BtfType.Union || t instanceof BtfType.Fwd;
            (viaPointer && composite ? byPointer : byValue).add(id);
            return;
        }
        switch (t) {
            case BtfType.Struct s -> s.members().forEach(m -> dependencies(m.type(), byValue, byPointer, viaPointer, depth + 1, false));
            case BtfType.Union u -> u.members().forEach(m -> dependencies(m.type(), byValue, byPointer, viaPointer, depth + 1, false));
            case BtfType.Typedef td -> dependencies(td.type(), byValue, byPointer, viaPointer, depth + 1, false);
            case BtfType.Ptr p -> dependencies(p.type(), byValue, byPointer, true, depth + 1, false);
            case BtfType.Array a -> dependencies(a.elemType(), byValue, byPointer, viaPointer, depth + 1, false);
            case BtfType.Const c -> dependencies(c.type(), byValue, byPointer, viaPointer, depth + 1, false);
            case BtfType.Volatile v -> dependencies(v.type(), byValue, byPointer, viaPointer, depth + 1, false);
            case BtfType.Restrict r -> dependencies(r.type(), byValue, byPointer, viaPointer, depth + 1, false);
            case BtfType.TypeTag tt -> dependencies(tt.type(), byValue, byPointer, viaPointer, depth + 1, false);
            case BtfType.FuncProto fp -> {
                dependencies(fp.returnType(), byValue, byPointer, true, depth + 1, false);
                fp.params().forEach(p -> dependencies(p.type(), byValue, byPointer, true, depth + 1, false));
            }
            default -> {
            }
        }
    }

    private String decl(int id, String inner, int indent, int depth) {
        return decl(id, inner, indent, depth, false);
    }

    /** {@code body}: write the members even of a named struct (its definition). */
    private String decl(int id, String inner, int indent, int depth, boolean body) {
        if (depth > MAX_DEPTH) {
            return "/* too deep */ " + inner;
        }
        BtfType t = btf.type(id);
        return switch (t) {
            case BtfType.Void v -> join("void", inner);
            case BtfType.Int i -> join(i.name(), inner);
            case BtfType.Float f -> join(f.name(), inner);
            case BtfType.Ptr p -> {
                BtfType target = btf.type(p.type());
                boolean parens = target instanceof BtfType.Array || target instanceof BtfType.FuncProto;
                yield decl(p.type(), parens ? "(*" + inner + ")" : "*" + inner, indent, depth + 1);
            }
            case BtfType.Array a -> decl(a.elemType(), inner + "[" + Integer.toUnsignedString(a.nelems()) + "]", indent, depth + 1);
            case BtfType.Struct s -> composite("struct", s.name(), s.members(), inner, indent, depth, body);
            case BtfType.Union u -> composite("union", u.name(), u.members(), inner, indent, depth, body);
            case BtfType.Enum e -> enumeration(e.name(), e.values(), e.signed(), false, inner, indent, body);
            case BtfType.Enum64 e -> enumeration(e.name(), e.values(), e.signed(), true, inner, indent, body);
            case BtfType.Fwd f -> join((f.union() ? "union " : "struct ") + f.name(), inner);
            case BtfType.Typedef td -> join(td.name(), inner);
            case BtfType.Const c -> qualified("const", c.type(), inner, indent, depth);
            case BtfType.Volatile v -> qualified("volatile", v.type(), inner, indent, depth);
            case BtfType.Restrict r -> decl(r.type(), "restrict " + inner, indent, depth + 1);
            case BtfType.TypeTag tt -> decl(tt.type(), inner, indent, depth + 1);
            case BtfType.FuncProto fp -> {
                List<String> ps = new ArrayList<>();
                for (int i = 0; i < fp.params().size(); i++) {
                    BtfType.Param p = fp.params().get(i);
                    ps.add(p.type() == 0 ? "..." : decl(p.type(), p.name(), indent, depth + 1));
                }
                yield decl(fp.returnType(), inner + "(" + (ps.isEmpty() ? "void" : String.join(", ", ps)) + ")", indent, depth + 1);
            }
            case BtfType.Func f -> decl(f.type(), f.name(), indent, depth + 1);
            case BtfType.Var v -> decl(v.type(), v.name(), indent, depth + 1);
            case BtfType.Datasec d -> "/* section " + d.name() + " */";
            case BtfType.DeclTag dt -> "/* tag " + dt.name() + " */";
        };
    }

    private String qualified(String q, int target, String inner, int indent, int depth) {
        return btf.type(target) instanceof BtfType.Ptr ? decl(target, q + " " + inner, indent, depth + 1)
                : q + " " + decl(target, inner, indent, depth + 1);
    }

    private String composite(String kw, String name, List<BtfType.Member> members, String inner, int indent, int depth, boolean body) {
        if (!name.isEmpty() && !body) {
            return join(kw + " " + name, inner);
        }
        if (name.isEmpty() && !anonymousBodies) {
            return join(kw, inner);
        }
        StringBuilder sb = new StringBuilder(kw).append(name.isEmpty() ? "" : " " + name).append(" {\n");
        for (BtfType.Member m : members) {
            sb.append("\t".repeat(indent + 1)).append(decl(m.type(), m.name(), indent + 1, depth + 1));
            if (m.bitfieldSize() > 0) {
                sb.append(": ").append(m.bitfieldSize());
            }
            sb.append(";\n");
        }
        sb.append("\t".repeat(indent)).append('}');
        return join(sb.toString(), inner);
    }

    private String enumeration(String name, List<BtfType.EnumValue> values, boolean signed, boolean wide, String inner, int indent, boolean body) {
        if (!name.isEmpty() && !body) {
            return join("enum " + name, inner);
        }
        if (name.isEmpty() && !anonymousBodies) {
            return join("enum", inner);
        }
        StringBuilder sb = new StringBuilder("enum").append(name.isEmpty() ? "" : " " + name).append(" {\n");
        for (BtfType.EnumValue v : values) {
            String num = signed ? Long.toString(v.value()) : Long.toUnsignedString(v.value());
            if (wide && !signed && v.value() < 0) {
                num += "ULL";
            }
            sb.append("\t".repeat(indent + 1)).append(v.name()).append(" = ").append(num).append(",\n");
        }
        sb.append("\t".repeat(indent)).append('}');
        return join(sb.toString(), inner);
    }

    private static String join(String base, String inner) {
        return inner.isEmpty() ? base : base + " " + inner;
    }
}
