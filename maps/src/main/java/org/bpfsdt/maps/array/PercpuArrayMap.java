package org.bpfsdt.maps.array;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

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

    /** {@code cpu}'s value at {@code index} (already known to be in range). */
    private long value(long index, int cpu) {
        return base + (index & indexMask) * slotSize + cpu * elemSize;
    }

    @Override
    protected long programValue(long index) {
        return value(index, context.currentCpu());
    }

    @Override
    public long lookupPercpu(long keyAddr, int cpu) {
        long index = ArrayKeys.index(keyAddr);
        if (index >= maxEntries || cpu < 0 || cpu >= cpus) {
            return 0;
        }
        return value(index, cpu);
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
    protected void write(long slot, MemorySegment src, long srcOff, boolean lock, boolean fromJava) {
        if (fromJava) {
            MemorySegment.copy(src, srcOff, Native.ALL, slot, slotSize);
        } else {
            MemorySegment.copy(src, srcOff, Native.ALL, slot + context.currentCpu() * elemSize, valueSize);
        }
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
