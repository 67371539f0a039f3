package org.bpfsdt.loader;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfCDump;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.loader.object.GlobalVar;

/**
 * A global variable of a {@code .data}, {@code .rodata} or {@code .bss} section, as a libbpf
 * skeleton exposes it: before load it reads and writes the map's initial value; after load
 * (from a {@link LoadedObject}) the live map value. A {@code .rodata} variable can be set only
 * before load: the map is frozen once loaded.
 */
public final class GlobalVariable {
    /** Where the bytes live: the initial value before load, the map after. */
    interface Store {
        byte[] read(int offset, int length);

        void write(int offset, byte[] bytes);
    }

    /** The initial value of an opened object's data map, edited in place until load. */
    record BufferStore(byte[] buffer) implements Store {
        @Override
        public byte[] read(int offset, int length) {
            return Arrays.copyOfRange(buffer, offset, offset + length);
        }

        @Override
        public void write(int offset, byte[] bytes) {
            System.arraycopy(bytes, 0, buffer, offset, bytes.length);
        }
    }

    private final GlobalVar var;
    private final String section;
    private final Btf btf;
    private final Store store;

    GlobalVariable(GlobalVar var, String section, Btf btf, Store store) {
        this.var = var;
        this.section = section;
        this.btf = btf;
        this.store = store;
    }

    public String name() {
        return var.name();
    }

    /** The data section it lives in ({@code .bss}). */
    public String section() {
        return section;
    }

    /** Byte offset in the section. */
    public int offset() {
        return var.offset();
    }

    public int size() {
        return var.size();
    }

    /** Its C type ({@code unsigned long long}, {@code char[16]}). */
    public String typeName() {
        return btf.typeName(var.typeId());
    }

    /** Its C declaration ({@code const char greeting[6]}). */
    public String declaration() {
        return BtfCDump.declaration(btf, var.typeId(), var.name());
    }

    /** False for {@code static} (and hidden) variables, which libbpf skeletons leave out. */
    public boolean isGlobal() {
        return var.global();
    }

    /** The current bytes. */
    public byte[] bytes() {
        return store.read(offset(), size());
    }

    /** Replaces the bytes; {@code value} must have exactly {@link #size()} bytes. */
    public void set(byte[] value) {
        if (value.length != size()) {
            throw new BpfException(Errno.EINVAL, "global '" + name() + "' is " + size() + " bytes, not " + value.length);
        }
        store.write(offset(), value);
    }

    /** The value of an integer, enum, bool or pointer variable, sign-extended when its type is signed. */
    public long longValue() {
        requireScalar();
        byte[] b = bytes();
        long v = 0;
        for (int i = b.length - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        if (isSigned() && size() < 8) {
            int shift = 64 - 8 * size();
            v = (v << shift) >> shift;
        }
        return v;
    }

    /** Sets an integer, enum, bool or pointer variable; {@code ERANGE} when the value does not fit its size. */
    public void set(long value) {
        requireScalar();
        if (size() < 8) {
            // any value whose bits fit: -1 sets a u32 to 0xffffffff, as a C assignment would
            boolean fits = value >= -(1L << (8 * size() - 1)) && value < (1L << (8 * size()));
            if (!fits) {
                throw new BpfException(Errno.ERANGE, "global '" + name() + "' (" + typeName() + ") cannot hold " + value);
            }
        }
        byte[] b = new byte[size()];
        for (int i = 0; i < size(); i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        store.write(offset(), b);
    }

    /** The value as a person reads it: decimal (signed where the type is), a string for {@code char[]}, else hex bytes. */
    public String formatValue() {
        BtfType t = btf.resolve(var.typeId());
        if (isScalar(t)) {
            return isSigned() ? Long.toString(longValue()) : Long.toUnsignedString(longValue());
        }
        if (t instanceof BtfType.Array a && btf.resolve(a.elemType()) instanceof BtfType.Int i && i.size() == 1) {
            byte[] b = bytes();
            int n = 0;
            while (n < b.length && b[n] != 0) {
                n++;
            }
            return "\"" + new String(b, 0, n, StandardCharsets.UTF_8) + "\"";
        }
        return HexFormat.ofDelimiter(" ").formatHex(bytes());
    }

    /** {@code name = value}, as {@code sdt trace} prints globals. */
    @Override
    public String toString() {
        return name() + " = " + formatValue();
    }

    private boolean isScalar(BtfType t) {
        return (t instanceof BtfType.Int || t instanceof BtfType.Enum || t instanceof BtfType.Enum64 || t instanceof BtfType.Ptr)
                && size() >= 1 && size() <= 8;
    }

    private void requireScalar() {
        if (!isScalar(btf.resolve(var.typeId()))) {
            throw new BpfException(Errno.EINVAL, "global '" + name() + "' is a " + typeName() + ", not an integer; use bytes()");
        }
    }

    private boolean isSigned() {
        return switch (btf.resolve(var.typeId())) {
            case BtfType.Int i -> i.isSigned();
            case BtfType.Enum e -> e.signed();
            case BtfType.Enum64 e -> e.signed();
            default -> false;
        };
    }
}
