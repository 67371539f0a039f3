package org.bpfsdt.core.interp;

import static org.bpfsdt.core.interp.DecodedProgram.dst;
import static org.bpfsdt.core.interp.DecodedProgram.imm;
import static org.bpfsdt.core.interp.DecodedProgram.off;
import static org.bpfsdt.core.interp.DecodedProgram.src;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.spi.ArgType;
import org.bpfsdt.api.spi.HelperProto;
import org.bpfsdt.api.spi.RetType;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.core.exec.NativeMemory;

/**
 * The checked mode's view of memory: which native regions a run may touch, and which stack
 * bytes it has written. Every load, store and atomic of a program decoded in checked mode is
 * checked here before it happens; a violation throws {@link Errno#EFAULT} naming the
 * instruction, the register, the address and what was wrong. Helper calls are checked against
 * their {@link HelperProto}: memory arguments must be readable (and initialised) or writable
 * for the sizes the prototype implies, map values and ring buffer records they return become
 * regions for the rest of the run, records they release stop being regions.
 *
 * <p>Regions come from the caller ({@link #allow}, e.g. the run's memory, a context, map
 * headers and array values) and from helpers during a run. The stack is known without
 * registration: the frames of the run in progress. Used by one thread at a time.
 */
public final class CheckedMemory {
    /** A region a run may touch. */
    public record Region(long start, long size, boolean writable, String name) {
        boolean contains(long a, long n) {
            return a >= start && n <= size && a - start <= size - n;
        }
    }

    private final List<Region> fixed = new ArrayList<>();
    private final List<Region> dynamic = new ArrayList<>();
    private int depth;

    /** Lets runs touch {@code size} bytes at {@code address}; stores only if {@code writable}. */
    public CheckedMemory allow(long address, long size, boolean writable, String name) {
        fixed.add(new Region(address, size, writable, name));
        return this;
    }

    public CheckedMemory allow(MemorySegment segment, boolean writable, String name) {
        return allow(segment.address(), segment.byteSize(), writable, name);
    }

    /** The regions allowed now: the caller's, then those helpers added in the run in progress. */
    public List<Region> regions() {
        List<Region> all = new ArrayList<>(fixed);
        all.addAll(dynamic);
        return all;
    }

    void beginRun() {
        if (depth++ == 0) {
            dynamic.clear();
        }
    }

    void endRun() {
        if (--depth == 0) {
            dynamic.clear();
        }
    }

    /** A frame starts: none of its stack bytes is initialised. */
    void enterFrame(ExecState st, int frame) {
        long[] bits = bits(st);
        long top = st.frameAddress(frame) - st.stackBottom();
        long from = top - ExecState.FRAME_SIZE;
        // frames are 512-byte aligned inside the stack, so whole words of the bitmap
        Arrays.fill(bits, (int) (from >>> 6), (int) (top >>> 6), 0L);
    }

    private static long[] bits(ExecState st) {
        if (st.stackInit == null) {
            st.stackInit = new long[ExecState.THREAD_FRAMES * ExecState.FRAME_SIZE / 64];
        }
        return st.stackInit;
    }

    /**
     * Checks the memory instruction {@code op} at {@code pc} before it runs. This is the checked
     * interpreter's per-instruction path: the access is described only when it faults.
     */
    void checkAccess(ExecState st, DecodedProgram p, int pc, int op, long w, long[] r, int frame, int base) {
        boolean load = MemoryOps.isLoad(op);
        boolean atomic = MemoryOps.isAtomic(op);
        int reg = load ? src(w) : dst(w);
        int size = MemoryOps.size(op);
        long addr = r[reg] + off(w);
        if (atomic && (addr & (size - 1)) != 0) {
            throw fault(p, pc, "misaligned " + size + "-byte atomic access at " + where(reg, off(w), addr));
        }
        String problem;
        if (inThreadStack(st, addr, size)) {
            problem = stackAccess(st, frame, base, addr, size, load || atomic, !load);
        } else {
            Region region = find(addr, size);
            problem = region == null ? "is outside every known region"
                    : !load && !region.writable() ? "writes read-only region '" + region.name() + "'" : null;
        }
        if (problem != null) {
            String what = (load ? "read" : atomic ? "atomic update" : "write") + " of " + size + " byte" + (size == 1 ? "" : "s")
                    + " at " + where(reg, off(w), addr);
            throw fault(p, pc, what + " " + problem);
        }
    }

    private static String where(int reg, int off, long addr) {
        return "r" + reg + (off < 0 ? " - " + -off : " + " + off) + " = 0x" + Long.toHexString(addr);
    }

    private boolean inThreadStack(ExecState st, long addr, long size) {
        return addr + size > st.stackBottom() && addr < st.stackTop();
    }

    /** Checks and records a stack access of the run's frames; what is wrong with it, or {@code null}. */
    private String stackAccess(ExecState st, int frame, int base, long addr, long size, boolean read, boolean write) {
        long low = st.frameAddress(frame) - ExecState.FRAME_SIZE;
        long high = st.frameAddress(base);
        if (addr < low || addr + size > high) {
            return "is outside the stack frames of the run (0x" + Long.toHexString(low) + "..0x" + Long.toHexString(high) + ")";
        }
        long[] bits = bits(st);
        long from = addr - st.stackBottom();
        if (read) {
            for (long b = from; b < from + size; b++) {
                if ((bits[(int) (b >>> 6)] & 1L << b) == 0) {
                    long fp = st.frameAddress(frame);
                    return "reads uninitialised stack at r10 - " + (fp - (st.stackBottom() + b)) + " of frame " + (frame - base);
                }
            }
        }
        if (write) {
            for (long b = from; b < from + size; b++) {
                bits[(int) (b >>> 6)] |= 1L << b;
            }
        }
        return null;
    }

    private Region find(long addr, long size) {
        for (int i = dynamic.size() - 1; i >= 0; i--) {
            if (dynamic.get(i).contains(addr, size)) {
                return dynamic.get(i);
            }
        }
        for (Region r : fixed) {
            if (r.contains(addr, size)) {
                return r;
            }
        }
        return null;
    }

    /** A helper call ({@code op} CALL_HELPER or CALLX) with its memory arguments checked and its results tracked. */
    long call(ExecState st, DecodedProgram p, int pc, int op, long w, long[] r, int frame, int base) {
        long id = op == Op.CALLX ? r[dst(w)] : imm(w);
        Helper h = id >= 0 && id < p.helpers.length ? p.helpers[(int) id] : null;
        if (h == null) {
            throw new BpfException(Errno.EINVAL, p.describe(pc) + ": helper #" + id + " is no helper this program may call");
        }
        HelperProto proto = id < p.protos.length ? p.protos[(int) id] : null;
        long map = r[1];
        if (proto != null) {
            for (int i = 0; i < 5; i++) {
                checkArg(st, p, pc, frame, base, proto, i, r);
            }
        }
        long r0 = h.call(st, r[1], r[2], r[3], r[4], r[5]);
        if (proto != null) {
            afterCall(proto, r, map, r0);
        }
        return r0;
    }

    private void checkArg(ExecState st, DecodedProgram p, int pc, int frame, int base, HelperProto proto, int i, long[] r) {
        ArgType t = proto.arg(i);
        long ptr = r[i + 1];
        long next = i < 4 ? r[i + 2] : 0;
        long size;
        boolean read;
        switch (t) {
            case PTR_TO_MAP_KEY -> { size = mapField(p, pc, proto, r[1], RuntimeLinkage.MAP_KEY_SIZE); read = true; }
            case PTR_TO_MAP_VALUE -> { size = mapField(p, pc, proto, r[1], RuntimeLinkage.MAP_VALUE_SIZE); read = true; }
            case PTR_TO_UNINIT_MAP_VALUE -> { size = mapField(p, pc, proto, r[1], RuntimeLinkage.MAP_VALUE_SIZE); read = false; }
            case PTR_TO_MEM -> { size = next; read = true; }
            case PTR_TO_MEM_OR_NULL -> { size = ptr == 0 ? 0 : next; read = true; }
            case PTR_TO_UNINIT_MEM -> { size = next; read = false; }
            case PTR_TO_LONG -> { size = 8; read = false; }
            case PTR_TO_SPIN_LOCK -> { size = 4; read = true; }
            default -> { return; }
        }
        if (size <= 0) {
            return;
        }
        String problem;
        if (inThreadStack(st, ptr, size)) {
            // helpers fill uninitialised memory arguments: the bytes count as written afterwards
            problem = stackAccess(st, frame, base, ptr, size, read, true);
        } else {
            Region region = find(ptr, size);
            problem = region == null ? "is outside every known region"
                    : !read && !region.writable() ? "is read-only region '" + region.name() + "'" : null;
        }
        if (problem != null) {
            throw fault(p, pc, proto.id().cName() + " argument " + (i + 1) + " (r" + (i + 1) + " = 0x" + Long.toHexString(ptr)
                    + ", " + size + " bytes, " + t + ") " + problem);
        }
    }

    private long mapField(DecodedProgram p, int pc, HelperProto proto, long map, int field) {
        if (find(map, RuntimeLinkage.MAP_HEADER_SIZE) == null) {
            throw fault(p, pc, proto.id().cName() + ": r1 = 0x" + Long.toHexString(map) + " is no known map");
        }
        return NativeMemory.u32(map + field);
    }

    private void afterCall(HelperProto proto, long[] r, long map, long r0) {
        for (int i = 0; i < 5; i++) {
            if (proto.arg(i) == ArgType.PTR_TO_RINGBUF_MEM_RELEASE) {
                long rec = r[i + 1];
                dynamic.removeIf(reg -> reg.start() == rec);
            }
        }
        if (r0 == 0) {
            return;
        }
        if (proto.ret() == RetType.PTR_TO_MAP_VALUE_OR_NULL && find(map, RuntimeLinkage.MAP_HEADER_SIZE) != null) {
            long valueSize = NativeMemory.u32(map + RuntimeLinkage.MAP_VALUE_SIZE);
            boolean readOnly = (NativeMemory.u32(map + RuntimeLinkage.MAP_FLAGS) & MapFlags.RDONLY_PROG) != 0;
            dynamic.add(new Region(r0, valueSize, !readOnly, "value of map id " + NativeMemory.u32(map + RuntimeLinkage.MAP_ID)));
        } else if (proto.ret() == RetType.PTR_TO_ALLOC_MEM_OR_NULL) {
            for (int i = 0; i < 5; i++) {
                if (proto.arg(i) == ArgType.CONST_ALLOC_SIZE_OR_ZERO) {
                    dynamic.add(new Region(r0, r[i + 1], true, proto.id().cName() + " record"));
                }
            }
        }
    }

    private static BpfException fault(DecodedProgram p, int pc, String problem) {
        return new BpfException(Errno.EFAULT, p.describe(pc) + ": " + problem);
    }
}
