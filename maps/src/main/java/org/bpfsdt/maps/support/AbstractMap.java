package org.bpfsdt.maps.support;

import java.lang.foreign.MemorySegment;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.api.spi.MapContext;

/**
 * What every map shares: its spec and memory, the checks of Java-side arguments, and the
 * translation of the negative errno both sides compute into a {@link BpfException} for Java.
 */
public abstract class AbstractMap implements MapBackend {
    protected final MapSpec spec;
    protected final MapContext context;
    protected final MapMemory memory;
    protected final int keySize;
    protected final int valueSize;
    /** {@code max_entries} as the kernel's u32. */
    protected final long maxEntries;
    /** {@code BPF_F_RDONLY_PROG}: programs never write (the verifier refuses it; the map refuses it too). */
    protected final boolean programReadOnly;
    /** {@code BPF_F_LOCK} where an update may carry it: not for per-CPU maps, whose values hold no lock. */
    private final long lockFlag;
    private volatile boolean frozen;

    protected AbstractMap(MapSpec spec, MapContext context, MapMemory memory) {
        this.spec = spec;
        this.context = context;
        this.memory = memory;
        this.keySize = spec.keySize();
        this.valueSize = spec.valueSize();
        this.maxEntries = Integer.toUnsignedLong(spec.maxEntries());
        this.programReadOnly = (spec.flags() & MapFlags.RDONLY_PROG) != 0;
        this.lockFlag = spec.type().isPerCpu() ? 0 : MapFlags.F_LOCK;
    }

    @Override
    public MapSpec spec() {
        return spec;
    }

    @Override
    public void freeze() {
        frozen = true;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** Bytes of native memory the map holds now. */
    public long memoryBytes() {
        return memory.bytes();
    }

    /** Bytes of a value as Java passes it: one per possible CPU, each rounded to 8, for per-CPU maps. */
    public long javaValueSize() {
        return spec.type().isPerCpu() ? context.possibleCpus() * Native.round8(valueSize) : valueSize;
    }

    @Override
    public void close() {
        memory.close();
    }

    // Java-side argument checks -------------------------------------------------------------

    /** {@code EINVAL} unless {@code key} holds at least {@code keySize} bytes ({@code null} is fine for maps without keys). */
    protected final void checkKey(MemorySegment key) {
        checkSize(key, keySize, "key");
    }

    protected final void checkValue(MemorySegment value) {
        checkSize(value, javaValueSize(), "value");
    }

    private void checkSize(MemorySegment seg, long size, String what) {
        if (size == 0) {
            return;
        }
        if (seg == null || seg.byteSize() < size) {
            throw new BpfException(Errno.EINVAL, spec.type() + " map: the " + what + " must have " + size + " bytes, got "
                    + (seg == null ? "none" : seg.byteSize()));
        }
    }

    /** Whether values hold a {@code bpf_spin_lock} ({@code BPF_F_LOCK} is allowed). */
    protected final boolean hasSpinLock() {
        return spinLockOffset() >= 0;
    }

    /** The syscall's own check, before the map's: {@code BPF_F_LOCK} needs a lock in the value. */
    protected final void checkLockFlag(long flags) {
        if ((flags & MapFlags.F_LOCK) != 0 && !hasSpinLock()) {
            throw new BpfException(Errno.EINVAL, spec.type() + " map: BPF_F_LOCK needs a bpf_spin_lock in the value");
        }
    }

    /** The syscall's check for maps without keys: a key pointer is an error ({@code null} or {@link MemorySegment#NULL} is none). */
    protected final void checkNoKey(MemorySegment key) {
        if (key != null && !key.equals(MemorySegment.NULL)) {
            throw new BpfException(Errno.EINVAL, spec.type() + " map: there are no keys, so none may be passed");
        }
    }

    /**
     * An update flag the kernel does not know: {@code (flags & ~BPF_F_LOCK) > BPF_EXIST}, and for
     * per-CPU maps, whose values hold no lock, {@code flags > BPF_EXIST}.
     */
    protected final boolean invalidUpdateFlags(long flags) {
        return (flags & ~lockFlag) > MapFlags.EXIST || flags < 0;
    }

    protected static long err(Errno e) {
        return -e.code();
    }

    /** Throws for a negative errno from an operation Java asked for; {@code what} names the operation. */
    protected final void throwIfError(long rc, String what, long flags) {
        if (rc >= 0) {
            return;
        }
        Errno e = Errno.byCode((int) -rc);
        if (e == null) {
            e = Errno.EINVAL;
        }
        throw new BpfException(e, spec.type() + " map " + what + ": " + reason(e, flags));
    }

    /** A sentence for an errno of this map's operations; maps refine it where their meaning differs. */
    protected String reason(Errno e, long flags) {
        return switch (e) {
            case E2BIG -> "the map is full (max_entries " + maxEntries + ")";
            case EEXIST -> "the key exists and BPF_NOEXIST was given";
            case ENOENT -> "the key does not exist and BPF_EXIST was given";
            case ENOMEM -> "out of native memory";
            // a BPF_F_LOCK without a lock never gets here: checkLockFlag refuses it first, as the syscall does
            case EINVAL -> "flags 0x" + Long.toHexString(flags) + " are not valid here";
            case EACCES -> "programs may not write to this map (BPF_F_RDONLY_PROG)";
            default -> e.description();
        };
    }
}
