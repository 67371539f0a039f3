package org.bpfsdt.maps.support;

import java.lang.foreign.MemorySegment;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;

/**
 * What a map learns from its key and value BTF ({@code map_check_btf}): that their sizes match
 * the map's, and where a {@code struct bpf_spin_lock} sits in the value. Copies between Java and
 * a value leave the lock word alone, and Java reads it as zero, as the kernel's
 * {@code copy_map_value} and {@code check_and_init_map_value} do.
 *
 * @param spinLockOffset the lock's byte offset in the value, or -1
 */
public record ValueFields(int spinLockOffset) {
    public static final ValueFields NONE = new ValueFields(-1);
    private static final String SPIN_LOCK = "bpf_spin_lock";

    /** The fields of {@code spec}'s value; {@code EINVAL} when the BTF does not fit the map. */
    public static ValueFields of(MapSpec spec) {
        Btf btf = spec.btf();
        if (btf == null) {
            CreateChecks.check(spec.btfKeyTypeId() != 0 || spec.btfValueTypeId() != 0, Errno.EINVAL, spec,
                    "BTF type ids are given without BTF");
            return NONE;
        }
        if (spec.btfKeyTypeId() != 0) {
            long size = btfSize(spec, btf, spec.btfKeyTypeId());
            CreateChecks.check(size != spec.keySize(), Errno.EINVAL, spec, "BTF key type %s has %d bytes but key_size is %d",
                    btf.typeName(spec.btfKeyTypeId()), size, spec.keySize());
        }
        if (spec.btfValueTypeId() == 0) {
            return NONE;
        }
        long size = btfSize(spec, btf, spec.btfValueTypeId());
        CreateChecks.check(size != spec.valueSize(), Errno.EINVAL, spec, "BTF value type %s has %d bytes but value_size is %d",
                btf.typeName(spec.btfValueTypeId()), size, spec.valueSize());
        int lock = spinLockOffset(spec, btf, spec.btfValueTypeId());
        if (lock < 0) {
            return NONE;
        }
        CreateChecks.check(spec.type() != MapType.HASH && spec.type() != MapType.ARRAY, Errno.EOPNOTSUPP, spec,
                "a bpf_spin_lock in the value is only supported in HASH and ARRAY maps");
        CreateChecks.check((spec.flags() & (MapFlags.RDONLY_PROG | MapFlags.WRONLY_PROG)) != 0, Errno.EACCES, spec,
                "a value with a bpf_spin_lock cannot be read-only or write-only for programs");
        return new ValueFields(lock);
    }

    private static long btfSize(MapSpec spec, Btf btf, int id) {
        try {
            return btf.sizeOf(id);
        } catch (org.bpfsdt.api.BpfException e) {
            throw CreateChecks.einval(spec, "BTF type %d has no size: %s", id, e.reason());
        }
    }

    /** The offset of the value's one top-level {@code struct bpf_spin_lock}, or -1. */
    private static int spinLockOffset(MapSpec spec, Btf btf, int valueTypeId) {
        BtfType t = btf.resolve(valueTypeId);
        if (isSpinLock(t)) {
            return 0;
        }
        if (!(t instanceof BtfType.Struct s)) {
            return -1;
        }
        int found = -1;
        for (BtfType.Member m : s.members()) {
            if (isSpinLock(btf.resolve(m.type()))) {
                CreateChecks.check(found >= 0, Errno.EINVAL, spec, "the value has more than one bpf_spin_lock");
                CreateChecks.check(m.bitOffset() % 32 != 0, Errno.EINVAL, spec, "the value's bpf_spin_lock is not 4-byte aligned");
                found = m.bitOffset() / 8;
            }
        }
        return found;
    }

    private static boolean isSpinLock(BtfType t) {
        return t instanceof BtfType.Struct s && s.name().equals(SPIN_LOCK) && s.size() == 4;
    }

    public boolean hasSpinLock() {
        return spinLockOffset >= 0;
    }

    /** Copies a value from {@code src} at {@code srcOff} to native {@code dst}, leaving the lock word as it is. */
    public void copyIn(MemorySegment src, long srcOff, long dst, long len) {
        if (spinLockOffset < 0) {
            MemorySegment.copy(src, srcOff, Native.ALL, dst, len);
            return;
        }
        MemorySegment.copy(src, srcOff, Native.ALL, dst, spinLockOffset);
        long after = spinLockOffset + 4;
        MemorySegment.copy(src, srcOff + after, Native.ALL, dst + after, len - after);
    }

    /** Copies a native value to {@code dst} at {@code dstOff}, with the lock word read as zero. */
    public void copyOut(long src, MemorySegment dst, long dstOff, long len) {
        MemorySegment.copy(Native.ALL, src, dst, dstOff, len);
        if (spinLockOffset >= 0) {
            dst.asSlice(dstOff + spinLockOffset, 4).fill((byte) 0);
        }
    }

    /** {@link #copyIn} holding the value's lock ({@code BPF_F_LOCK}). */
    public void copyInLocked(MemorySegment src, long srcOff, long dst, long len) {
        long lock = dst + spinLockOffset;
        org.bpfsdt.api.spi.BpfSpinLock.lock(lock);
        try {
            copyIn(src, srcOff, dst, len);
        } finally {
            org.bpfsdt.api.spi.BpfSpinLock.unlock(lock);
        }
    }
}
