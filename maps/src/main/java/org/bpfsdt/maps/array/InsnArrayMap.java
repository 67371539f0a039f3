package org.bpfsdt.maps.array;

import static org.bpfsdt.api.spi.InsnArrayValue.DELETED;
import static org.bpfsdt.api.spi.InsnArrayValue.JITTED_OFF;
import static org.bpfsdt.api.spi.InsnArrayValue.ORIG_OFF;
import static org.bpfsdt.api.spi.InsnArrayValue.XLATED_OFF;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.InsnArrayBackend;
import org.bpfsdt.api.spi.InsnArrayValue;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.SdtProbeInfo;
import org.bpfsdt.maps.support.AbstractMap;
import org.bpfsdt.maps.support.CreateChecks;
import org.bpfsdt.maps.support.MapMemory;
import org.bpfsdt.maps.support.MemoryAccounting;
import org.bpfsdt.maps.support.Native;

/**
 * {@code BPF_MAP_TYPE_INSN_ARRAY} ({@code kernel/bpf/bpf_insn_array.c}): instruction offsets of
 * the one program that uses the map, followed through the verifier's rewrites and into native
 * code. Java writes only {@code orig_off} (and, with {@link MapFlags#INSN_ARRAY_SDT}, the probe
 * fields of {@link InsnArrayValue}); the map must be frozen before a program may use it.
 */
public final class InsnArrayMap extends AbstractMap implements InsnArrayBackend {
    private final boolean sdt;
    private final MemorySegment values;
    private final long base;
    /** Native address of each entry's instruction ({@code insn_array->ips}); guarded by this. */
    private final long[] ips;
    /** A program holds the map ({@code insn_array->used}); guarded by this. */
    private boolean used;

    private InsnArrayMap(MapSpec spec, MapContext context, MapMemory memory) {
        super(spec, context, memory);
        this.sdt = (spec.flags() & MapFlags.INSN_ARRAY_SDT) != 0;
        this.values = memory.allocate(maxEntries * valueSize, 8);
        this.base = values.address();
        this.ips = new long[(int) maxEntries];
    }

    /** Creates an INSN_ARRAY map, checking the spec as {@code insn_array_alloc_check} does. */
    public static InsnArrayMap create(MapSpec spec, MapContext context, MemoryAccounting accounting) {
        boolean sdt = (spec.flags() & MapFlags.INSN_ARRAY_SDT) != 0;
        CreateChecks.check(spec.maxEntries() == 0, Errno.EINVAL, spec, "max_entries must not be 0");
        CreateChecks.check(spec.keySize() != 4, Errno.EINVAL, spec, "keys are u32 indexes: key_size must be 4, got %d", spec.keySize());
        CreateChecks.check(spec.valueSize() != InsnArrayValue.size(sdt), Errno.EINVAL, spec, "value_size must be %d%s, got %d",
                InsnArrayValue.size(sdt), sdt ? " with the SDT flag" : "", spec.valueSize());
        CreateChecks.check((spec.flags() & ~MapFlags.INSN_ARRAY_SDT) != 0, Errno.EINVAL, spec,
                "no map_flags other than the SDT flag are accepted, got 0x%x", spec.flags());
        CreateChecks.check(Integer.toUnsignedLong(spec.maxEntries()) > Integer.MAX_VALUE - 8, Errno.ENOMEM, spec,
                "%d entries are more than this runtime can track", Integer.toUnsignedLong(spec.maxEntries()));
        return MapMemory.build(accounting, memory -> new InsnArrayMap(spec, context, memory));
    }

    @Override
    public boolean isSdt() {
        return sdt;
    }

    /** Entry 0's value: the entries are an array of values like ARRAY's. */
    @Override
    public long data() {
        return base;
    }

    private long entry(long index) {
        return base + index * valueSize;
    }

    private int xlated(int i) {
        return Native.getInt(entry(i) + XLATED_OFF);
    }

    private void setXlated(int i, int off) {
        Native.putInt(entry(i) + XLATED_OFF, off);
    }

    private int orig(int i) {
        return Native.getInt(entry(i) + ORIG_OFF);
    }

    private InsnArrayValue value(int i) {
        return InsnArrayValue.decode(values.asSlice(i * (long) valueSize, valueSize), sdt);
    }

    // program side ------------------------------------------------------------------------

    @Override
    public long lookup(long keyAddr) {
        long index = ArrayKeys.index(keyAddr);
        return index < maxEntries ? entry(index) : 0;
    }

    @Override
    public long update(long keyAddr, long valueAddr, long flags) {
        return err(Errno.EOPNOTSUPP);
    }

    @Override
    public long delete(long keyAddr) {
        return err(Errno.EINVAL);
    }

    // syscall side ------------------------------------------------------------------------

    @Override
    public synchronized boolean lookup(MemorySegment key, MemorySegment valueOut) {
        checkKey(key);
        checkValue(valueOut);
        long index = ArrayKeys.index(key);
        if (index >= maxEntries) {
            return false;
        }
        MemorySegment.copy(values, index * valueSize, valueOut, 0, valueSize);
        return true;
    }

    /** {@code insn_array_update_elem}: stores {@code orig_off} (and the probe fields); the offsets the runtime owns must be 0. */
    @Override
    public synchronized void update(MemorySegment key, MemorySegment value, long flags) {
        checkKey(key);
        checkValue(value);
        checkLockFlag(flags);
        long index = ArrayKeys.index(key);
        if (index >= maxEntries) {
            throw new BpfException(Errno.E2BIG, "INSN_ARRAY map update: index " + index + " is out of range (max_entries " + maxEntries + ")");
        }
        if ((flags & MapFlags.NOEXIST) != 0) {
            throw new BpfException(Errno.EEXIST, "INSN_ARRAY map update: entries always exist, so BPF_NOEXIST cannot succeed");
        }
        if (isFrozen()) {
            throw new BpfException(Errno.EPERM, "INSN_ARRAY map update: the map is frozen");
        }
        InsnArrayValue v = InsnArrayValue.decode(value, sdt);
        if (v.xlatedOff() != 0 || v.jittedOff() != 0) {
            throw new BpfException(Errno.EINVAL, "INSN_ARRAY map update: xlated_off and jitted_off are set by the runtime and must be 0");
        }
        if (sdt && v.probeName().isEmpty()) {
            throw new BpfException(Errno.EINVAL, "INSN_ARRAY map update: an SDT entry needs a probe name");
        }
        checkReservedZero(value);
        long e = entry(index);
        Native.putInt(e + ORIG_OFF, v.origOff());
        if (sdt) {
            // everything past the kernel's 16 bytes is the probe's: copy it as given (reserved bytes are zero)
            MemorySegment.copy(value, InsnArrayValue.SIZE, Native.ALL, e + InsnArrayValue.SIZE, valueSize - InsnArrayValue.SIZE);
        }
    }

    private void checkReservedZero(MemorySegment value) {
        boolean dirty = value.get(ValueLayout.JAVA_INT_UNALIGNED, 12) != 0;
        if (sdt) {
            int nrArgs = value.get(ValueLayout.JAVA_BYTE, InsnArrayValue.SDT_NR_ARGS);
            for (int i = InsnArrayValue.SDT_ARG_REGS + nrArgs; i < InsnArrayValue.SDT_NAME; i++) {
                dirty |= value.get(ValueLayout.JAVA_BYTE, i) != 0;
            }
            boolean afterNul = false;
            for (int i = InsnArrayValue.SDT_NAME; i < InsnArrayValue.SDT_SIZE; i++) {
                byte b = value.get(ValueLayout.JAVA_BYTE, i);
                dirty |= afterNul && b != 0;
                afterNul |= b == 0;
            }
        }
        if (dirty) {
            throw new BpfException(Errno.EINVAL, "INSN_ARRAY map update: reserved bytes of the value must be zero");
        }
    }

    @Override
    public boolean delete(MemorySegment key) {
        throw new BpfException(Errno.EINVAL, "INSN_ARRAY map: entries always exist and cannot be deleted");
    }

    @Override
    public boolean nextKey(MemorySegment key, MemorySegment nextOut) {
        checkKey(nextOut);
        return ArrayKeys.nextKey(key, nextOut, maxEntries);
    }

    // runtime side ------------------------------------------------------------------------

    @Override
    public synchronized void bind(List<Insn> insns) {
        if (!isFrozen()) {
            throw new BpfException(Errno.EINVAL, "INSN_ARRAY map must be frozen (BPF_MAP_FREEZE) before a program may use it");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < maxEntries; i++) {
            int off = orig(i);
            if (off < 0 || off >= insns.size()) {
                throw new BpfException(Errno.EINVAL, "INSN_ARRAY entry " + i + ": orig_off " + Integer.toUnsignedLong(off)
                        + " is past the program's " + insns.size() + " instructions");
            }
            if (off > 0 && insns.get(off - 1).isLddw()) {
                throw new BpfException(Errno.EINVAL, "INSN_ARRAY entry " + i + ": orig_off " + off + " is the second half of a 64-bit load");
            }
            if (sdt) {
                checkProbe(i, insns.get(off), names);
            }
        }
        if (used) {
            throw new BpfException(Errno.EBUSY, "INSN_ARRAY map is already used by another program");
        }
        used = true;
        // start over from the loaded offsets, as a verification replayed at another log level must
        for (int i = 0; i < maxEntries; i++) {
            setXlated(i, orig(i));
            Native.putInt(entry(i) + JITTED_OFF, 0);
            ips[i] = 0;
        }
    }

    private void checkProbe(int i, Insn site, Set<String> names) {
        InsnArrayValue v = value(i);
        if (v.probeName().isEmpty()) {
            throw new BpfException(Errno.EINVAL, "INSN_ARRAY entry " + i + " has no SDT probe (no name)");
        }
        if (site.opcode() != Opcodes.JA_OP || site.off() != 0 || site.imm() != 0) {
            throw new BpfException(Errno.EINVAL, "SDT probe '" + v.probeName() + "' at instruction " + v.origOff()
                    + " is not a 'goto +0' NOP: " + site);
        }
        if (!names.add(v.probeName())) {
            throw new BpfException(Errno.EINVAL, "SDT probe name '" + v.probeName() + "' is used twice");
        }
    }

    @Override
    public synchronized void release() {
        used = false;
    }

    @Override
    public synchronized void applyXlation(int[] origToXlated) {
        for (int i = 0; i < maxEntries; i++) {
            if (xlated(i) == DELETED) {
                continue;
            }
            int orig = orig(i);
            int x = orig >= 0 && orig < origToXlated.length ? origToXlated[orig] : -1;
            setXlated(i, x < 0 ? DELETED : x);
        }
    }

    @Override
    public synchronized void adjust(int off, int len) {
        if (len <= 1) {
            return;
        }
        for (int i = 0; i < maxEntries; i++) {
            int x = xlated(i);
            if (x == DELETED || Integer.compareUnsigned(x, off) <= 0) {
                continue;
            }
            setXlated(i, x + len - 1);
        }
    }

    @Override
    public synchronized void adjustAfterRemove(int off, int len) {
        for (int i = 0; i < maxEntries; i++) {
            int x = xlated(i);
            if (x == DELETED || Integer.compareUnsigned(x, off) < 0) {
                continue;
            }
            setXlated(i, Integer.compareUnsigned(x, off + len) < 0 ? DELETED : x - len);
        }
    }

    @Override
    public synchronized void recordJitted(int[] slotOffsets, long imageAddress) {
        for (int i = 0; i < maxEntries; i++) {
            int x = xlated(i);
            if (x == DELETED || x < 0 || x >= slotOffsets.length || slotOffsets[x] < 0) {
                continue;
            }
            Native.putInt(entry(i) + JITTED_OFF, slotOffsets[x]);
            ips[i] = imageAddress == 0 ? 0 : imageAddress + slotOffsets[x];
        }
    }

    @Override
    public synchronized boolean ready() {
        for (int i = 0; i < maxEntries; i++) {
            if (xlated(i) != DELETED && ips[i] == 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public synchronized List<InsnArrayValue> entries() {
        List<InsnArrayValue> out = new ArrayList<>((int) maxEntries);
        for (int i = 0; i < maxEntries; i++) {
            out.add(value(i));
        }
        return out;
    }

    @Override
    public List<SdtProbe> probes() {
        return sdt ? entries().stream().map(InsnArrayValue::toProbe).toList() : List.of();
    }

    @Override
    public synchronized Optional<SdtProbeInfo> probeByName(String name) {
        if (!sdt || name == null) {
            return Optional.empty();
        }
        for (int i = 0; i < maxEntries; i++) {
            InsnArrayValue v = value(i);
            if (!v.isDeleted() && v.probeName().equals(name)) {
                return Optional.of(new SdtProbeInfo(v.toProbe(), v.jittedOff(), ips[i]));
            }
        }
        return Optional.empty();
    }
}
