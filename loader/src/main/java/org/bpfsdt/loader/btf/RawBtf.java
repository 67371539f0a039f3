package org.bpfsdt.loader.btf;

import java.util.List;

import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.loader.elf.ByteView;

/**
 * BTF as read from a {@code .BTF} section, before the object-level fix-ups (DATASEC sizes and
 * offsets) and validation turn it into an {@link org.bpfsdt.api.btf.Btf}.
 *
 * @param types   the types, index = id (0 is void)
 * @param strings the string table ({@code .BTF.ext} and line info refer to it)
 */
public record RawBtf(List<BtfType> types, ByteView strings) {
    public RawBtf {
        types = List.copyOf(types);
    }

    /** The string at {@code off} of the string table; {@code what} names the reference in errors. */
    public String string(long off, String what) {
        return strings.cString(off, what);
    }
}
