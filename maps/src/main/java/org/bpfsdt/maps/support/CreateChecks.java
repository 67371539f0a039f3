package org.bpfsdt.maps.support;

import static org.bpfsdt.api.MapFlags.RDONLY;
import static org.bpfsdt.api.MapFlags.RDONLY_PROG;
import static org.bpfsdt.api.MapFlags.WRONLY;
import static org.bpfsdt.api.MapFlags.WRONLY_PROG;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;

/** The checks of {@code BPF_MAP_CREATE} that several map types share, with the kernel's error codes. */
public final class CreateChecks {
    /** {@code BPF_F_ACCESS_MASK}. */
    public static final int ACCESS_MASK = RDONLY | RDONLY_PROG | WRONLY | WRONLY_PROG;
    /** {@code KMALLOC_MAX_SIZE} on x86_64: the largest value the syscall can copy. */
    public static final long KMALLOC_MAX_SIZE = 4L << 20;
    /** {@code PCPU_MIN_UNIT_SIZE}: the largest per-CPU value. */
    public static final long PCPU_MIN_UNIT_SIZE = 32L << 10;

    private CreateChecks() {
    }

    /** What {@code map_create} checks before any type's own checks. */
    public static void common(MapSpec spec) {
        if (spec.mapExtra() != 0 && spec.type() != MapType.BLOOM_FILTER) {
            throw einval(spec, "map_extra (%d) is only for BLOOM_FILTER maps", spec.mapExtra());
        }
        if ((spec.flags() & RDONLY) != 0 && (spec.flags() & WRONLY) != 0) {
            throw einval(spec, "BPF_F_RDONLY and BPF_F_WRONLY exclude each other");
        }
        if (spec.btfKeyTypeId() != 0 && spec.btfValueTypeId() == 0) {
            throw einval(spec, "a BTF key type needs a BTF value type too");
        }
    }

    /** {@code bpf_obj_name_cpy}: up to 15 characters of {@code [A-Za-z0-9_.]}. */
    public static void name(MapSpec spec) {
        String n = spec.name();
        if (n.length() > MapSpec.MAX_NAME_LEN) {
            throw einval(spec, "map name '%s' is longer than %d characters", n, MapSpec.MAX_NAME_LEN);
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) {
                throw einval(spec, "map name '%s' may only hold letters, digits, '_' and '.'", n);
            }
        }
    }

    /** {@code bpf_map_flags_access_ok}: programs cannot be both read-only and write-only on a map. */
    public static boolean accessOk(int flags) {
        return (flags & (RDONLY_PROG | WRONLY_PROG)) != (RDONLY_PROG | WRONLY_PROG);
    }

    /** {@code EINVAL} unless the flags are within {@code mask} and the access flags are consistent. */
    public static void flags(MapSpec spec, int mask) {
        int extra = spec.flags() & ~mask;
        if (extra != 0) {
            throw einval(spec, "map_flags 0x%x are not accepted (accepted: 0x%x)", extra, mask);
        }
        if (!accessOk(spec.flags())) {
            throw einval(spec, "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG exclude each other");
        }
    }

    /** Throws {@code errno} with a message naming the map type when {@code failed}. */
    public static void check(boolean failed, Errno errno, MapSpec spec, String format, Object... args) {
        if (failed) {
            throw error(errno, spec, format, args);
        }
    }

    public static BpfException einval(MapSpec spec, String format, Object... args) {
        return error(Errno.EINVAL, spec, format, args);
    }

    public static BpfException error(Errno errno, MapSpec spec, String format, Object... args) {
        return new BpfException(errno, spec.type() + " map: " + String.format(format, args));
    }

    /** {@code roundup_pow_of_two(n)} for {@code 1 <= n <= 2^31}. */
    public static long roundUpPowerOfTwo(long n) {
        return n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
    }
}
