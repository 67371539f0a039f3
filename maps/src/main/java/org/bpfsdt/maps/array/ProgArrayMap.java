package org.bpfsdt.maps.array;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.api.spi.ProgArrayBackend;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.maps.support.AbstractMap;
import org.bpfsdt.maps.support.CreateChecks;
import org.bpfsdt.maps.support.MapMemory;
import org.bpfsdt.maps.support.MemoryAccounting;
import org.bpfsdt.maps.support.Native;
import org.bpfsdt.maps.support.ValueFields;

/**
 * {@code BPF_MAP_TYPE_PROG_ARRAY}: tail call targets. Java stores program ids; each slot holds a
 * reference to its program and, in a native table compiled code reads, the address of the
 * program's descriptor. A program replaced or removed is released once no run can still be
 * jumping to it.
 */
public final class ProgArrayMap extends AbstractMap implements ProgArrayBackend {
    /** The native table of descriptor addresses ({@link #data()}). */
    private final long base;
    private final AtomicReferenceArray<ProgramRef> programs;
    private ProgramType owner;

    private ProgArrayMap(MapSpec spec, MapContext context, MapMemory memory) {
        super(spec, context, memory);
        CreateChecks.check(maxEntries > Integer.MAX_VALUE - 8, Errno.ENOMEM, spec, "%d slots are more than this runtime can track", maxEntries);
        this.base = memory.allocate((ArrayKeys.indexMask(maxEntries) + 1) * Long.BYTES, Long.BYTES).address();
        this.programs = new AtomicReferenceArray<>((int) maxEntries);
    }

    /** Creates a PROG_ARRAY map, checking the spec as {@code fd_array_map_alloc_check} does. */
    public static ProgArrayMap create(MapSpec spec, MapContext context, MemoryAccounting accounting) {
        CreateChecks.check(spec.valueSize() != 4, Errno.EINVAL, spec, "values are u32 program ids: value_size must be 4, got %d", spec.valueSize());
        CreateChecks.check((spec.flags() & (MapFlags.RDONLY_PROG | MapFlags.WRONLY_PROG)) != 0, Errno.EINVAL, spec,
                "BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG are not supported");
        ArrayMap.check(spec);
        ValueFields.of(spec);
        return MapMemory.build(accounting, memory -> new ProgArrayMap(spec, context, memory));
    }

    @Override
    public long data() {
        return base;
    }

    @Override
    public synchronized boolean compatible(ProgramType type) {
        if (owner == null) {
            owner = type;
            return true;
        }
        return owner == type;
    }

    @Override
    public ProgramRef programAt(long index) {
        return index >= 0 && index < maxEntries ? programs.getAcquire((int) index) : null;
    }

    // program side: only bpf_tail_call, which reads the table ------------------------------

    @Override
    public long lookup(long keyAddr) {
        return 0;
    }

    @Override
    public long update(long keyAddr, long valueAddr, long flags) {
        return err(Errno.EOPNOTSUPP);
    }

    @Override
    public long delete(long keyAddr) {
        return err(Errno.EOPNOTSUPP);
    }

    // syscall side ------------------------------------------------------------------------

    @Override
    public boolean lookup(MemorySegment key, MemorySegment valueOut) {
        checkKey(key);
        checkValue(valueOut);
        ProgramRef p = programAt(ArrayKeys.index(key));
        if (p == null) {
            return false;
        }
        valueOut.set(ValueLayout.JAVA_INT_UNALIGNED, 0, p.id());
        return true;
    }

    /** {@code bpf_fd_array_map_update_elem}: BPF_ANY only; the program must exist and be compatible. */
    @Override
    public void update(MemorySegment key, MemorySegment value, long flags) {
        checkKey(key);
        checkValue(value);
        if (flags != MapFlags.ANY) {
            throw new BpfException(Errno.EINVAL, "PROG_ARRAY map update: only BPF_ANY is accepted, got flags 0x" + Long.toHexString(flags));
        }
        long index = ArrayKeys.index(key);
        if (index >= maxEntries) {
            throw new BpfException(Errno.E2BIG, "PROG_ARRAY map update: index " + index + " is out of range (max_entries " + maxEntries + ")");
        }
        int id = value.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
        ProgramRef program = context.acquireProgram(id);
        if (program.type() == ProgramType.EXT || !compatible(program.type())) {
            ProgramType type = program.type();
            program.close();
            throw new BpfException(Errno.EINVAL, "PROG_ARRAY map update: program " + id + " is of type " + type
                    + " but the map holds " + owner + " programs");
        }
        ProgramRef old;
        synchronized (this) {
            old = programs.getAndSet((int) index, program);
            Native.putLongRelease(base + index * Long.BYTES, program.descriptor());
        }
        retire(old);
    }

    @Override
    public boolean delete(MemorySegment key) {
        checkKey(key);
        long index = ArrayKeys.index(key);
        if (index >= maxEntries) {
            throw new BpfException(Errno.E2BIG, "PROG_ARRAY map delete: index " + index + " is out of range (max_entries " + maxEntries + ")");
        }
        ProgramRef old = take(index);
        retire(old);
        return old != null;
    }

    @Override
    public boolean nextKey(MemorySegment key, MemorySegment nextOut) {
        checkKey(nextOut);
        return ArrayKeys.nextKey(key, nextOut, maxEntries);
    }

    @Override
    public void clear() {
        for (int i = 0; i < maxEntries; i++) {
            retire(take(i));
        }
    }

    private synchronized ProgramRef take(long index) {
        Native.putLongRelease(base + index * Long.BYTES, 0);
        return programs.getAndSet((int) index, null);
    }

    /** Releases a program once no run can still be calling it through the table. */
    private void retire(ProgramRef old) {
        if (old != null) {
            context.afterGracePeriod(old::close);
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < maxEntries; i++) {
            ProgramRef p = programs.getAndSet(i, null);
            if (p != null) {
                p.close();
            }
        }
        super.close();
    }
}
