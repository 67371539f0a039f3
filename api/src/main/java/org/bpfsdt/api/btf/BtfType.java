package org.bpfsdt.api.btf;

import java.util.List;

/**
 * One BTF type. Types refer to each other by id (an index into {@link Btf#types()}; 0 is
 * {@code void}). Names are resolved strings; an anonymous type has the name {@code ""}.
 */
public sealed interface BtfType {
    String name();

    BtfKind kind();

    /** {@code void}: id 0. */
    record Void() implements BtfType {
        public String name() {
            return "void";
        }

        public BtfKind kind() {
            return BtfKind.VOID;
        }
    }

    /** An integer: {@code encoding} bits are {@link #SIGNED}, {@link #CHAR}, {@link #BOOL}. */
    record Int(String name, int size, int encoding, int bitOffset, int bits) implements BtfType {
        public static final int SIGNED = 1, CHAR = 2, BOOL = 4;

        public BtfKind kind() {
            return BtfKind.INT;
        }

        public boolean isSigned() {
            return (encoding & SIGNED) != 0;
        }
    }

    record Ptr(int type) implements BtfType {
        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.PTR;
        }
    }

    record Array(int elemType, int indexType, int nelems) implements BtfType {
        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.ARRAY;
        }
    }

    /** A member of a struct or union; {@code bitfieldSize} is 0 for a plain member. */
    record Member(String name, int type, int bitOffset, int bitfieldSize) {
    }

    record Struct(String name, int size, List<Member> members) implements BtfType {
        public Struct {
            members = List.copyOf(members);
        }

        public BtfKind kind() {
            return BtfKind.STRUCT;
        }
    }

    record Union(String name, int size, List<Member> members) implements BtfType {
        public Union {
            members = List.copyOf(members);
        }

        public BtfKind kind() {
            return BtfKind.UNION;
        }
    }

    record EnumValue(String name, long value) {
    }

    record Enum(String name, int size, boolean signed, List<EnumValue> values) implements BtfType {
        public Enum {
            values = List.copyOf(values);
        }

        public BtfKind kind() {
            return BtfKind.ENUM;
        }
    }

    record Enum64(String name, int size, boolean signed, List<EnumValue> values) implements BtfType {
        public Enum64 {
            values = List.copyOf(values);
        }

        public BtfKind kind() {
            return BtfKind.ENUM64;
        }
    }

    record Fwd(String name, boolean union) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FWD;
        }
    }

    record Typedef(String name, int type) implements BtfType {
        public BtfKind kind() {
            return BtfKind.TYPEDEF;
        }
    }

    record Volatile(int type) implements BtfType {
        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.VOLATILE;
        }
    }

    record Const(int type) implements BtfType {
        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.CONST;
        }
    }

    record Restrict(int type) implements BtfType {
        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.RESTRICT;
        }
    }

    /** A function; {@code type} is its FUNC_PROTO, {@code linkage} 0 static, 1 global, 2 extern. */
    record Func(String name, int type, int linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FUNC;
        }
    }

    record Param(String name, int type) {
    }

    /** A function signature; a last parameter of type 0 marks varargs. */
    record FuncProto(int returnType, List<Param> params) implements BtfType {
        public FuncProto {
            params = List.copyOf(params);
        }

        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.FUNC_PROTO;
        }
    }

    record Var(String name, int type, int linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.VAR;
        }
    }

    record VarSecInfo(int type, int offset, int size) {
    }

    record Datasec(String name, int size, List<VarSecInfo> vars) implements BtfType {
        public Datasec {
            vars = List.copyOf(vars);
        }

        public BtfKind kind() {
            return BtfKind.DATASEC;
        }
    }

    record Float(String name, int size) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FLOAT;
        }
    }

    /** A tag on {@code type}, or on its member/parameter {@code componentIdx} (-1 for the type itself). */
    record DeclTag(String name, int type, int componentIdx) implements BtfType {
        public BtfKind kind() {
            return BtfKind.DECL_TAG;
        }
    }

    record TypeTag(String name, int type) implements BtfType {
        public BtfKind kind() {
            return BtfKind.TYPE_TAG;
        }
    }
}
