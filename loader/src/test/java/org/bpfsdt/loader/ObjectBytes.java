package org.bpfsdt.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.bpfsdt.loader.elf.ElfFile;
import org.bpfsdt.loader.elf.ElfSection;

/** A copy of an object's bytes with the file positions of its headers, to corrupt them precisely. */
final class ObjectBytes {
    final byte[] bytes;
    final ElfFile elf;
    private final ByteBuffer buf;

    ObjectBytes(String testprog) {
        this.bytes = TestObjects.bytes(testprog);
        this.elf = ElfFile.parse(bytes.clone(), testprog);
        this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    ElfSection section(String name) {
        return elf.section(name).orElseThrow();
    }

    /** File offset of section {@code index}'s header. */
    int sectionHeader(int index) {
        return (int) buf.getLong(40) + 64 * index;
    }

    ObjectBytes u8(long at, int v) {
        bytes[(int) at] = (byte) v;
        return this;
    }

    ObjectBytes u16(long at, int v) {
        buf.putShort((int) at, (short) v);
        return this;
    }

    ObjectBytes u32(long at, long v) {
        buf.putInt((int) at, (int) v);
        return this;
    }

    ObjectBytes u64(long at, long v) {
        buf.putLong((int) at, v);
        return this;
    }

    int u32(long at) {
        return buf.getInt((int) at);
    }

    /** File offset of the first BTF type record of {@code .BTF}, and of the record of type {@code id}. */
    int btfType(int id) {
        ElfSection s = section(".BTF");
        int base = (int) s.offset();
        int p = base + u32(base + 4) + u32(base + 8);
        for (int cur = 1; cur < id; cur++) {
            int info = u32(p + 4);
            int vlen = info & 0xffff, kind = (info >>> 24) & 0x1f;
            p += 12 + switch (kind) {
                case 1, 14, 17 -> 4;
                case 3 -> 12;
                case 4, 5, 15, 19 -> 12 * vlen;
                case 6, 13 -> 8 * vlen;
                default -> 0;
            };
        }
        return p;
    }

    /** The id of the first BTF type of kind number {@code kind}. */
    int firstBtfTypeOfKind(int kind) {
        for (int id = 1; id < 10_000; id++) {
            if (((u32(btfType(id) + 4) >>> 24) & 0x1f) == kind) {
                return id;
            }
        }
        throw new IllegalStateException("no BTF type of kind " + kind);
    }
}
