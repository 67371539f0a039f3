package org.bpfsdt.maps.array;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.maps.support.MapMemory;
import org.bpfsdt.maps.support.Native;
import org.bpfsdt.maps.support.ValueFields;

/**
 * {@code BPF_MAP_TYPE_PERCPU_ARRAY}: each index holds one value per possible CPU, side by side.
 * Programs see the value of the CPU they run on; Java sees all of them, each rounded up to 8
 * bytes.
 */
final class PercpuArrayMap extends ArrayMap {
    private final int cpus;

    PercpuArrayMap(MapSpec spec, MapContext context, MapMemory memory) {
        super(spec, context, memory, ValueFields.NONE, context.possibleCpus());
        this.cpus = context.possibleCpus();
    }

    @Override
    protected long programValue(long index) {
        return base + (index & indexMask) * slotSize + context.currentCpu() * elemSize;
    }

    @Override
    public long lookupPercpu(long keyAddr, int cpu) {
        long index = Integer.toUnsignedLong(Native.getIntUnaligned(keyAddr));
        if (index >= maxEntries || cpu < 0 || cpu >= cpus) {
            return 0;
        }
        return base + (index & indexMask) * slotSize + cpu * elemSize;
    }

    @Override
    public long data() {
        return 0; // no direct value access: which CPU's value would it be?
    }

    @Override
    public Optional<List<Insn>> inlineLookup() {
        return Optional.empty();
    }

    /** Programs write their CPU's value; Java writes every CPU's from its 8-byte-strided buffer ({@code bpf_percpu_array_update}). */
    @Override
    protected long store(long index, MemorySegment src, long srcOff, long flags, boolean fromJava) {
        if (flags > MapFlags.EXIST || flags < 0) {
            return err(Errno.EINVAL);
        }
        if (index >= maxEntries) {
            return err(Errno.E2BIG);
        }
        if ((flags & MapFlags.NOEXIST) != 0) {
            return err(Errno.EEXIST);
        }
        long slot = base + index * slotSize;
        if (fromJava) {
            MemorySegment.copy(src, srcOff, Native.ALL, slot, slotSize);
        } else {
            MemorySegment.copy(src, srcOff, Native.ALL, slot + context.currentCpu() * elemSize, valueSize);
        }
        return 0;
    }

    @Override
    protected void copyOut(long index, MemorySegment valueOut) {
        MemorySegment.copy(Native.ALL, base + index * slotSize, valueOut, 0, slotSize);
    }

    @Override
    public Optional<MemorySegment> valueSegment(MemorySegment key) {
        return Optional.empty();
    }
}
