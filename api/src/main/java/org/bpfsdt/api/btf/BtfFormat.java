package org.bpfsdt.api.btf;

/** C spellings of BTF types, for messages, disassembly and dumps. */
final class BtfFormat {
    private BtfFormat() {
    }

    static String typeName(Btf btf, int id) {
        return declare(btf, id, "", 0).trim();
    }

    /** The C declaration of {@code inner} (a name or an abstract declarator) with type {@code id}. */
    static String declare(Btf btf, int id, String inner, int depth) {
        if (depth > 32) {
            return "<loop> " + inner;
        }
        BtfType t = btf.type(id);
        return switch (t) {
            case BtfType.Void v -> join("void", inner);
            case BtfType.Int i -> join(i.name(), inner);
            case BtfType.Float f -> join(f.name(), inner);
            case BtfType.Ptr p -> {
                BtfType target = btf.type(p.type());
                boolean needsParens = target instanceof BtfType.Array || target instanceof BtfType.FuncProto;
                yield declare(btf, p.type(), needsParens ? "(*" + inner + ")" : "*" + inner, depth + 1);
            }
            case BtfType.Array a -> declare(btf, a.elemType(), inner + "[" + a.nelems() + "]", depth + 1);
            case BtfType.Struct s -> join("struct " + s.name(), inner);
            case BtfType.Union u -> join("union " + u.name(), inner);
            case BtfType.Enum e -> join("enum " + e.name(), inner);
            case BtfType.Enum64 e -> join("enum " + e.name(), inner);
            case BtfType.Fwd f -> join((f.union() ? "union " : "struct ") + f.name(), inner);
            case BtfType.Typedef td -> join(td.name(), inner);
            case BtfType.Const c -> declare(btf, c.type(), inner, depth + 1).replaceFirst("^", "const ");
            case BtfType.Volatile v -> declare(btf, v.type(), inner, depth + 1).replaceFirst("^", "volatile ");
            case BtfType.Restrict r -> declare(btf, r.type(), "restrict " + inner, depth + 1);
            case BtfType.TypeTag tt -> declare(btf, tt.type(), inner, depth + 1) + " __attribute__((btf_type_tag(\"" + tt.name() + "\")))";
            case BtfType.FuncProto fp -> {
                StringBuilder ps = new StringBuilder();
                for (int i = 0; i < fp.params().size(); i++) {
                    BtfType.Param prm = fp.params().get(i);
                    if (i > 0) {
                        ps.append(", ");
                    }
                    ps.append(prm.type() == 0 && i == fp.params().size() - 1 ? "..." : declare(btf, prm.type(), prm.name(), depth + 1).trim());
                }
                if (fp.params().isEmpty()) {
                    ps.append("void");
                }
                yield declare(btf, fp.returnType(), inner + "(" + ps + ")", depth + 1);
            }
            case BtfType.Func f -> declare(btf, f.type(), f.name(), depth + 1);
            case BtfType.Var v -> declare(btf, v.type(), v.name(), depth + 1);
            case BtfType.Datasec d -> "SEC(\"" + d.name() + "\")";
            case BtfType.DeclTag dt -> "__attribute__((btf_decl_tag(\"" + dt.name() + "\")))";
        };
    }

    private static String join(String base, String inner) {
        return inner.isEmpty() ? base : base + " " + inner;
    }
}
