package org.bpfsdt.distribution.cli.prog;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;

/**
 * Map keys and values as their BTF types describe them: integers in decimal (signed where the
 * type is), enums by name, structs as {@code {field = value, ...}}, arrays as {@code [a, b]};
 * without BTF, 1, 2, 4 or 8 bytes as an unsigned number, other sizes as hex bytes.
 */
final class BtfValues {
    private static final int MAX_DEPTH = 8;

    private BtfValues() {
    }

    /** {@code bytes} as type {@code typeId} of {@code btf} (0 or no BTF: by size). */
    static String format(Btf btf, int typeId, byte[] bytes) {
        if (btf == null || typeId == 0) {
            return bySize(bytes, 0, bytes.length);
        }
        return format(btf, typeId, bytes, 0, bytes.length, 0);
    }

    private static String format(Btf btf, int typeId, byte[] b, int off, int len, int depth) {
        BtfType t = btf.resolve(typeId);
        if (depth > MAX_DEPTH) {
            return hex(b, off, len);
        }
        return switch (t) {
            case BtfType.Int i when i.bits() == 8 * i.size() && i.size() <= 8 ->
                    number(b, off, i.size(), (i.encoding() & BtfType.Int.SIGNED) != 0);
            case BtfType.Enum e -> enumName(e.values(), number(b, off, e.size(), e.signed()));
            case BtfType.Enum64 e -> enumName(e.values(), number(b, off, e.size(), e.signed()));
            case BtfType.Ptr p -> "0x" + Long.toHexString(Long.parseUnsignedLong(number(b, off, 8, false)));
            case BtfType.Struct s -> members(btf, s.members(), b, off, depth);
            case BtfType.Array a -> {
                long elem = btf.sizeOf(a.elemType());
                if (elem <= 0 || elem * a.nelems() > len) {
                    yield hex(b, off, len);
                }
                List<String> items = new ArrayList<>();
                for (int i = 0; i < a.nelems(); i++) {
                    items.add(format(btf, a.elemType(), b, off + (int) (i * elem), (int) elem, depth + 1));
                }
                yield "[" + String.join(", ", items) + "]";
            }
            default -> hex(b, off, len);
        };
    }

    private static String members(Btf btf, List<BtfType.Member> members, byte[] b, int off, int depth) {
        List<String> out = new ArrayList<>();
        for (BtfType.Member m : members) {
            if (m.bitfieldSize() != 0 || m.bitOffset() % 8 != 0) {
                continue;
            }
            int at = off + m.bitOffset() / 8;
            long size = btf.sizeOf(m.type());
            if (size <= 0 || at + size > b.length) {
                continue;
            }
            String v = format(btf, m.type(), b, at, (int) size, depth + 1);
            out.add(m.name().isEmpty() ? v : m.name() + " = " + v);
        }
        return "{" + String.join(", ", out) + "}";
    }

    private static String enumName(List<BtfType.EnumValue> values, String number) {
        for (BtfType.EnumValue v : values) {
            if (Long.toString(v.value()).equals(number) || Long.toUnsignedString(v.value()).equals(number)) {
                return v.name();
            }
        }
        return number;
    }

    private static String bySize(byte[] b, int off, int len) {
        return len == 1 || len == 2 || len == 4 || len == 8 ? number(b, off, len, false) : hex(b, off, len);
    }

    private static String number(byte[] b, int off, int size, boolean signed) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        if (signed && size < 8) {
            int shift = 64 - 8 * size;
            return Long.toString(v << shift >> shift);
        }
        return signed ? Long.toString(v) : Long.toUnsignedString(v);
    }

    private static String hex(byte[] b, int off, int len) {
        return HexFormat.ofDelimiter(" ").formatHex(b, off, off + len);
    }
}
