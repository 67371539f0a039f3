package org.bpfsdt.verifier.check;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.spi.MapDescriptor;

/**
 * Map values that can no longer change, read while verifying so that loads from them are known
 * constants (the kernel's {@code bpf_map_is_rdonly} and {@code bpf_map_direct_read}): libbpf's
 * {@code .rodata}, the {@code const volatile} globals a skeleton sets before load. A map
 * qualifies when programs may not write it ({@code BPF_F_RDONLY_PROG}, enforced by the verifier)
 * and it was frozen before this load (Java may not write it either), and it is a one-entry
 * array, whose value is the map's single value at {@link MapDescriptor#valueBase()}.
 *
 * <p>Values are read through a segment of exactly the value's size, so a load can never read
 * past the value whatever its offset; a segment is made only for maps a load actually reads.
 */
final class ReadOnlyValues {
    private final List<MapDescriptor> maps;
    private final MemorySegment[] values;

    ReadOnlyValues(List<MapDescriptor> maps) {
        this.maps = maps;
        this.values = new MemorySegment[maps.size()];
    }

    /** Whether loads at a constant offset from map {@code index}'s value are constants. */
    boolean isConstant(int index) {
        MapDescriptor m = maps.get(index);
        return m.frozen() && (m.flags() & MapFlags.RDONLY_PROG) != 0 && m.type() == MapType.ARRAY && m.maxEntries() == 1
                && m.valueBase() != 0 && m.valueSize() > 0;
    }

    /**
     * The {@code size}-byte value (in the host's byte order, as the program loads it) at byte {@code off} of map {@code index}'s value,
     * zero-extended ({@code size} is 1, 2, 4 or 8; the caller has checked the access is inside
     * the value, and the segment checks it again).
     */
    long read(int index, long off, int size) {
        MemorySegment v = values[index];
        if (v == null) {
            MapDescriptor m = maps.get(index);
            v = MemorySegment.ofAddress(m.valueBase()).reinterpret(m.valueSize());
            values[index] = v;
        }
        return switch (size) {
            case 1 -> Byte.toUnsignedLong(v.get(ValueLayout.JAVA_BYTE, off));
            case 2 -> Short.toUnsignedLong(v.get(ValueLayout.JAVA_SHORT_UNALIGNED, off));
            case 4 -> Integer.toUnsignedLong(v.get(ValueLayout.JAVA_INT_UNALIGNED, off));
            case 8 -> v.get(ValueLayout.JAVA_LONG_UNALIGNED, off);
            default -> throw new IllegalArgumentException("a load of " + size + " bytes");
        };
    }
}
