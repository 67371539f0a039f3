package org.bpfsdt.oracle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;

/**
 * A {@link Btf} in the raw format {@code BPF_BTF_LOAD} reads (little-endian header, type
 * section, string section), so the kernel can be given the same types bpf-sdt's verifier
 * sees: a program's BTF with its func_info, built by the loader or by a test.
 */
public final class KernelBtf {
    private static final int MAGIC = 0xeB9F;
    private static final int HEADER_LEN = 24;

    private ByteBuffer types = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> stringOffsets = new HashMap<>();

    private KernelBtf() {
        strings.write(0);
        stringOffsets.put("", 0);
    }

    /** The raw bytes of {@code btf} (type 0, {@code void}, is implicit and not written). */
    public static byte[] encode(Btf btf) {
        KernelBtf k = new KernelBtf();
        List<BtfType> all = btf.types();
        for (int id = 1; id < all.size(); id++) {
            k.type(all.get(id));
        }
        return k.bytes();
    }

    private ByteBuffer room(int bytes) {
        if (types.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(types.capacity() * 2, types.position() + bytes)).order(ByteOrder.LITTLE_ENDIAN);
            types = bigger.put(types.flip());
        }
        return types;
    }

    private int str(String s) {
        return stringOffsets.computeIfAbsent(s == null ? "" : s, k -> {
            int off = strings.size();
            strings.writeBytes(k.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return off;
        });
    }

    /** {@code struct btf_type}: name, info (vlen, kind, kind_flag), size or type. */
    private void head(String name, BtfType t, int vlen, boolean kindFlag, int sizeOrType) {
        room(12).putInt(str(name)).putInt((vlen & 0xffff) | t.kind().number() << 24 | (kindFlag ? 1 << 31 : 0)).putInt(sizeOrType);
    }

    private void type(BtfType t) {
        switch (t) {
            case BtfType.Void v -> throw new IllegalArgumentException("void is type 0 only");
            case BtfType.Int i -> {
                head(i.name(), t, 0, false, i.size());
                room(4).putInt(i.encoding() << 24 | i.bitOffset() << 16 | i.bits());
            }
            case BtfType.Ptr p -> head("", t, 0, false, p.type());
            case BtfType.Array a -> {
                head("", t, 0, false, 0);
                room(12).putInt(a.elemType()).putInt(a.indexType()).putInt(a.nelems());
            }
            case BtfType.Struct s -> members(s.name(), t, s.size(), s.members());
            case BtfType.Union u -> members(u.name(), t, u.size(), u.members());
            case BtfType.Enum e -> {
                head(e.name(), t, e.values().size(), e.signed(), e.size());
                for (BtfType.EnumValue v : e.values()) {
                    room(8).putInt(str(v.name())).putInt((int) v.value());
                }
            }
            case BtfType.Enum64 e -> {
                head(e.name(), t, e.values().size(), e.signed(), e.size());
                for (BtfType.EnumValue v : e.values()) {
                    room(12).putInt(str(v.name())).putInt((int) v.value()).putInt((int) (v.value() >>> 32));
                }
            }
            case BtfType.Fwd f -> head(f.name(), t, 0, f.union(), 0);
            case BtfType.Typedef td -> head(td.name(), t, 0, false, td.type());
            case BtfType.Volatile v -> head("", t, 0, false, v.type());
            case BtfType.Const c -> head("", t, 0, false, c.type());
            case BtfType.Restrict r -> head("", t, 0, false, r.type());
            case BtfType.TypeTag tt -> head(tt.name(), t, 0, false, tt.type());
            case BtfType.Func f -> head(f.name(), t, f.linkage(), false, f.type());
            case BtfType.FuncProto fp -> {
                head("", t, fp.params().size(), false, fp.returnType());
                for (BtfType.Param p : fp.params()) {
                    room(8).putInt(str(p.name())).putInt(p.type());
                }
            }
            case BtfType.Var v -> {
                head(v.name(), t, 0, false, v.type());
                room(4).putInt(v.linkage());
            }
            case BtfType.Datasec d -> {
                head(d.name(), t, d.vars().size(), false, d.size());
                for (BtfType.VarSecInfo v : d.vars()) {
                    room(12).putInt(v.type()).putInt(v.offset()).putInt(v.size());
                }
            }
            case BtfType.Float f -> head(f.name(), t, 0, false, f.size());
            case BtfType.DeclTag dt -> {
                head(dt.name(), t, 0, false, dt.type());
                room(4).putInt(dt.componentIdx());
            }
        }
    }

    /** Structs and unions; a bitfield anywhere sets kind_flag and packs its size above the offset. */
    private void members(String name, BtfType t, int size, List<BtfType.Member> members) {
        boolean bitfields = members.stream().anyMatch(m -> m.bitfieldSize() != 0);
        head(name, t, members.size(), bitfields, size);
        for (BtfType.Member m : members) {
            int off = bitfields ? m.bitfieldSize() << 24 | m.bitOffset() : m.bitOffset();
            room(12).putInt(str(m.name())).putInt(m.type()).putInt(off);
        }
    }

    private byte[] bytes() {
        int typeLen = types.position();
        byte[] str = strings.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(HEADER_LEN + typeLen + str.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) MAGIC).put((byte) 1).put((byte) 0).putInt(HEADER_LEN);
        out.putInt(0).putInt(typeLen).putInt(typeLen).putInt(str.length);
        out.put(types.array(), 0, typeLen).put(str);
        return out.array();
    }
}
