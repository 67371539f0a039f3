package org.bpfsdt.loader.btf;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.btf.BtfKind;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.loader.elf.ByteView;

/**
 * Reads the BTF wire format ({@code struct btf_header}, then {@code struct btf_type} records with
 * their kind-specific tails, then the string table). Structure is checked here: header fields,
 * section bounds, record sizes, kinds and string offsets. References between types are checked
 * by {@link BtfValidator}.
 */
public final class BtfParser {
    public static final int MAGIC = 0xeB9F;
    private static final int HEADER_SIZE = 24;
    private static final int TYPE_SIZE = 12;

    private BtfParser() {
    }

    /** Parses {@code data} (the contents of {@code .BTF}); errors name the view's place. */
    public static RawBtf parse(ByteView data) {
        long hdrLen = headerLength(data, "BTF", HEADER_SIZE);
        for (long i = HEADER_SIZE; i < hdrLen; i++) {
            if (data.u8(i) != 0) {
                throw data.error("BTF header has unknown non-zero fields beyond byte 24");
            }
        }
        long typeOff = data.u32(8), typeLen = data.u32(12), strOff = data.u32(16), strLen = data.u32(20);
        long avail = data.length() - hdrLen;
        if (typeOff % 4 != 0) {
            throw data.error("BTF type section offset " + typeOff + " is not 4-byte aligned");
        }
        if (typeOff > avail || typeLen > avail - typeOff) {
            throw data.error("BTF type section (offset " + typeOff + ", " + typeLen + " bytes) exceeds the " + avail + " bytes after the header");
        }
        if (strOff > avail || strLen > avail - strOff) {
            throw data.error("BTF string section (offset " + strOff + ", " + strLen + " bytes) exceeds the " + avail + " bytes after the header");
        }
        if (typeOff < strOff + strLen && strOff < typeOff + typeLen) {
            throw data.error("BTF type and string sections overlap");
        }
        ByteView strings = data.slice(hdrLen + strOff, strLen, "BTF strings", data.where());
        if (strLen == 0 || strings.u8(0) != 0 || strings.u8(strLen - 1) != 0) {
            throw data.error("BTF string section must start and end with a NUL byte");
        }
        ByteView types = data.slice(hdrLen + typeOff, typeLen, "BTF types", data.where());
        return new RawBtf(readTypes(types, strings), strings);
    }

    /**
     * Checks the common start of {@code .BTF} and {@code .BTF.ext} ({@code what}): magic, version 1,
     * and a header length of at least {@code minHeader} bytes inside the section; returns that length.
     */
    static long headerLength(ByteView data, String what, int minHeader) {
        if (data.length() < minHeader) {
            throw data.error(what + " header needs " + minHeader + " bytes, section has " + data.length());
        }
        if (data.u16(0) != MAGIC) {
            throw data.error("bad " + what + " magic 0x" + Integer.toHexString(data.u16(0)) + " (expected 0xeb9f)");
        }
        if (data.u8(2) != 1) {
            throw data.error("unsupported " + what + " version " + data.u8(2));
        }
        long hdrLen = data.u32(4);
        if (hdrLen < minHeader || hdrLen > data.length()) {
            throw data.error(what + " header length " + hdrLen + " is out of range");
        }
        return hdrLen;
    }

    private static List<BtfType> readTypes(ByteView t, ByteView strings) {
        List<BtfType> out = new ArrayList<>();
        out.add(new BtfType.Void());
        long pos = 0;
        while (pos < t.length()) {
            int id = out.size();
            if (!t.contains(pos, TYPE_SIZE)) {
                throw t.error("type [" + id + "] is truncated (" + (t.length() - pos) + " bytes left)");
            }
            long nameOff = t.u32(pos);
            int info = t.s32(pos + 4);
            int sizeOrType = t.s32(pos + 8);
            int vlen = info & 0xffff;
            int kindNo = (info >>> 24) & 0x1f;
            boolean kflag = (info >>> 31) != 0;
            BtfKind kind = BtfKind.byNumber(kindNo);
            if (kind == null || kind == BtfKind.VOID) {
                throw t.error("type [" + id + "] has unknown kind " + kindNo);
            }
            String what = "type [" + id + "] " + kind;
            String name = strings.cString(nameOff, what + ": name");
            long tail = tailSize(kind, vlen);
            pos += TYPE_SIZE;
            if (!t.contains(pos, tail)) {
                throw t.error(what + (name.isEmpty() ? "" : " '" + name + "'") + ": its " + vlen
                        + " entries need " + tail + " bytes, only " + (t.length() - pos) + " remain");
            }
            if (vlen != 0 && tail == 0 && kind != BtfKind.FUNC) {
                throw t.error(what + " '" + name + "': unexpected vlen " + vlen);
            }
            out.add(readType(t, strings, pos, kind, kflag, vlen, name, sizeOrType, what));
            pos += tail;
        }
        return out;
    }

    private static long tailSize(BtfKind kind, int vlen) {
        return switch (kind) {
            case INT, VAR, DECL_TAG -> 4;
            case ARRAY -> 12;
            case STRUCT, UNION, DATASEC, ENUM64 -> 12L * vlen;
            case ENUM, FUNC_PROTO -> 8L * vlen;
            default -> 0;
        };
    }

    private static BtfType readType(ByteView t, ByteView s, long p, BtfKind kind, boolean kflag, int vlen, String name,
                                    int sizeOrType, String what) {
        return switch (kind) {
            case INT -> {
                int v = t.s32(p);
                yield new BtfType.Int(name, sizeOrType, (v >>> 24) & 0x0f, (v >>> 16) & 0xff, v & 0xff);
            }
            case PTR -> new BtfType.Ptr(sizeOrType);
            case ARRAY -> new BtfType.Array(t.s32(p), t.s32(p + 4), t.s32(p + 8));
            case STRUCT, UNION -> {
                List<BtfType.Member> members = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long m = p + 12L * i;
                    String mname = s.cString(t.u32(m), what + " '" + name + "': member " + i + " name");
                    int off = t.s32(m + 8);
                    int bitOff = kflag ? off & 0xffffff : off;
                    int bitSize = kflag ? off >>> 24 : 0;
                    members.add(new BtfType.Member(mname, t.s32(m + 4), bitOff, bitSize));
                }
                yield kind == BtfKind.STRUCT ? new BtfType.Struct(name, sizeOrType, members) : new BtfType.Union(name, sizeOrType, members);
            }
            case ENUM -> {
                List<BtfType.EnumValue> values = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long e = p + 8L * i;
                    int raw = t.s32(e + 4);
                    values.add(new BtfType.EnumValue(s.cString(t.u32(e), what + " '" + name + "': value " + i + " name"),
                            kflag ? raw : raw & 0xffffffffL));
                }
                yield new BtfType.Enum(name, sizeOrType, kflag, values);
            }
            case ENUM64 -> {
                List<BtfType.EnumValue> values = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long e = p + 12L * i;
                    long v = t.u32(e + 4) | (t.u32(e + 8) << 32);
                    values.add(new BtfType.EnumValue(s.cString(t.u32(e), what + " '" + name + "': value " + i + " name"), v));
                }
                yield new BtfType.Enum64(name, sizeOrType, kflag, values);
            }
            case FWD -> new BtfType.Fwd(name, kflag);
            case TYPEDEF -> new BtfType.Typedef(name, sizeOrType);
            case VOLATILE -> new BtfType.Volatile(sizeOrType);
            case CONST -> new BtfType.Const(sizeOrType);
            case RESTRICT -> new BtfType.Restrict(sizeOrType);
            case FUNC -> new BtfType.Func(name, sizeOrType, vlen);
            case FUNC_PROTO -> {
                List<BtfType.Param> params = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long e = p + 8L * i;
                    params.add(new BtfType.Param(s.cString(t.u32(e), what + ": parameter " + i + " name"), t.s32(e + 4)));
                }
                yield new BtfType.FuncProto(sizeOrType, params);
            }
            case VAR -> new BtfType.Var(name, sizeOrType, t.s32(p));
            case DATASEC -> {
                List<BtfType.VarSecInfo> vars = new ArrayList<>(vlen);
                for (int i = 0; i < vlen; i++) {
                    long e = p + 12L * i;
                    vars.add(new BtfType.VarSecInfo(t.s32(e), t.s32(e + 4), t.s32(e + 8)));
                }
                yield new BtfType.Datasec(name, sizeOrType, vars);
            }
            case FLOAT -> new BtfType.Float(name, sizeOrType);
            case DECL_TAG -> new BtfType.DeclTag(name, sizeOrType, t.s32(p));
            case TYPE_TAG -> new BtfType.TypeTag(name, sizeOrType);
            case VOID -> throw t.error(what + ": kind 0 is reserved");
        };
    }
}
