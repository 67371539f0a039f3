package org.bpfsdt.loader.elf;

import java.nio.charset.StandardCharsets;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;

/**
 * A bounds-checked little-endian view of part of an object file. Every read checks its range
 * first and a failure names the place ({@code "xdp.o: section '.BTF'"}), so malformed input
 * surfaces as a {@link BpfException}, never as an index or arithmetic exception.
 */
public final class ByteView {
    private final byte[] data;
    private final int base;
    private final int length;
    private final String where;
    private final Errno errno;

    private ByteView(byte[] data, int base, int length, String where, Errno errno) {
        this.data = data;
        this.base = base;
        this.length = length;
        this.where = where;
        this.errno = errno;
    }

    /** A view of all of {@code data}; errors are reported as {@code where: ...} with {@code errno}. */
    public static ByteView of(byte[] data, String where, Errno errno) {
        return new ByteView(data, 0, data.length, where, errno);
    }

    public int length() {
        return length;
    }

    /** The place this view describes, as errors name it. */
    public String where() {
        return where;
    }

    /** A view of {@code [off, off+len)} of this one, reported as {@code where}. */
    public ByteView slice(long off, long len, String what, String newWhere) {
        check(off, len, what);
        return new ByteView(data, base + (int) off, (int) len, newWhere, errno);
    }

    /** The same bytes reported under another name or errno. */
    public ByteView renamed(String newWhere, Errno newErrno) {
        return new ByteView(data, base, length, newWhere, newErrno);
    }

    /** Whether {@code [off, off+len)} lies inside this view (no overflow for any inputs). */
    public boolean contains(long off, long len) {
        return off >= 0 && len >= 0 && off <= length && len <= length - off;
    }

    /** Throws unless {@code [off, off+len)} lies inside this view. */
    public void check(long off, long len, String what) {
        if (!contains(off, len)) {
            throw error(what + " at offset 0x" + Long.toHexString(off) + " (" + len + " bytes) lies outside the "
                    + length + " bytes available");
        }
    }

    public int u8(long off) {
        check(off, 1, "byte");
        return data[base + (int) off] & 0xff;
    }

    public int u16(long off) {
        check(off, 2, "u16");
        int p = base + (int) off;
        return (data[p] & 0xff) | (data[p + 1] & 0xff) << 8;
    }

    /** A 32-bit little-endian word as a signed int. */
    public int s32(long off) {
        check(off, 4, "u32");
        int p = base + (int) off;
        return (data[p] & 0xff) | (data[p + 1] & 0xff) << 8 | (data[p + 2] & 0xff) << 16 | (data[p + 3] & 0xff) << 24;
    }

    /** A 32-bit little-endian word, unsigned. */
    public long u32(long off) {
        return s32(off) & 0xffffffffL;
    }

    public long s64(long off) {
        check(off, 8, "u64");
        return (s32(off) & 0xffffffffL) | ((long) s32(off + 4)) << 32;
    }

    /** A copy of {@code [off, off+len)}. */
    public byte[] bytes(long off, long len) {
        check(off, len, "data");
        byte[] out = new byte[(int) len];
        System.arraycopy(data, base + (int) off, out, 0, (int) len);
        return out;
    }

    /** A copy of the whole view. */
    public byte[] bytes() {
        return bytes(0, length);
    }

    /** The NUL-terminated string at {@code off}; {@code what} names it in errors. */
    public String cString(long off, String what) {
        if (off < 0 || off >= length) {
            throw error(what + ": string offset 0x" + Long.toHexString(off) + " is outside the string table ("
                    + length + " bytes)");
        }
        int start = base + (int) off;
        int end = start;
        int limit = base + length;
        while (end < limit && data[end] != 0) {
            end++;
        }
        if (end == limit) {
            throw error(what + ": string at offset 0x" + Long.toHexString(off) + " is not NUL-terminated");
        }
        return new String(data, start, end - start, StandardCharsets.UTF_8);
    }

    /** A {@link BpfException} naming this view's place. */
    public BpfException error(String message) {
        return new BpfException(errno, where + ": " + message);
    }
}
