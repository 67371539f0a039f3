package org.bpfsdt.verifier.check;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.Optional;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.ContextLayout;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.domain.FuncState;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.domain.Tnum;
import org.bpfsdt.verifier.domain.VerifierState;
import org.bpfsdt.verifier.log.StatePrinter;

/**
 * Loads, stores and atomics (the kernel's check_mem_access and what it calls): bounds of every
 * pointer type with its variable offset, stack slot tracking (spills and fills with the full
 * register state), context fields per program type, packet ranges, read-only memory, alignment,
 * and no pointers stored where the program's user could read them back.
 */
final class Memory {
    static final boolean READ = false, WRITE = true;
    private static final int MAX_PACKET_OFF = 0xffff;

    private final Env env;
    private final Regs regs;
    private final Precision precision;
    private final Stack stack;

    Memory(Env env, Regs regs, Precision precision) {
        this.env = env;
        this.regs = regs;
        this.precision = precision;
        this.stack = new Stack(env, precision);
    }

    Stack stack() {
        return stack;
    }

    void load(Insn in) {
        regs.read(in.src());
        regs.write(in.dst());
        int size = sizeBytes(size(in.opcode()));
        boolean sx = mode(in.opcode()) == MEMSX;
        RegState ptr = regs.get(in.src());
        recordPtrType(ptr);
        access(in.src(), in.off(), size, READ, in.dst(), false, sx);
    }

    void store(Insn in) {
        regs.read(in.src());
        RegState ptr = regs.read(in.dst());
        recordPtrType(ptr);
        access(in.dst(), in.off(), sizeBytes(size(in.opcode())), WRITE, in.src(), false, false);
    }

    void storeImm(Insn in) {
        RegState ptr = regs.read(in.dst());
        recordPtrType(ptr);
        access(in.dst(), in.off(), sizeBytes(size(in.opcode())), WRITE, -1, false, false);
    }

    void atomic(Insn in) {
        int size = size(in.opcode());
        RegState src = regs.read(in.src());
        RegState dst = regs.read(in.dst());
        if (in.imm() == CMPXCHG) {
            RegState r0 = regs.read(0);
            if (r0.isPointer()) {
                throw VerifyError.access("R0 leaks addr into mem");
            }
        }
        if (src.isPointer()) {
            throw VerifyError.access("R%d leaks addr into mem", in.src());
        }
        if (dst.type == RegType.PTR_TO_CTX || dst.isPacket()) {
            throw VerifyError.access("BPF_ATOMIC stores into R%d %s is not allowed", in.dst(), StatePrinter.typeName(dst));
        }
        recordPtrType(dst);
        int loadReg = -1;
        if ((in.imm() & FETCH) != 0) {
            loadReg = in.imm() == CMPXCHG ? 0 : in.src();
            regs.write(loadReg);
        }
        int bytes = sizeBytes(size);
        access(in.dst(), in.off(), bytes, READ, -1, true, false);
        if (loadReg >= 0) {
            access(in.dst(), in.off(), bytes, READ, loadReg, true, false);
        }
        access(in.dst(), in.off(), bytes, WRITE, -1, true, false);
    }

    /** Legacy packet loads of socket programs (check_ld_abs). */
    void ldAbs(Insn in) {
        ProgramType t = env.progType;
        if (t != ProgramType.SOCKET_FILTER && t != ProgramType.SCHED_CLS && t != ProgramType.SCHED_ACT) {
            throw VerifyError.invalid("BPF_LD_[ABS|IND] instructions not allowed for this program type");
        }
        RegState ctx = regs.read(6);
        if (env.cur.refs.length > 0) {
            throw VerifyError.invalid("BPF_LD_[ABS|IND] cannot be mixed with socket references");
        }
        if (ctx.type != RegType.PTR_TO_CTX) {
            throw VerifyError.invalid("at the time of BPF_LD_ABS|IND R6 != pointer to skb");
        }
        if (mode(in.opcode()) == IND) {
            regs.read(in.src());
        }
        checkPtrOffReg(ctx, 6);
        regs.clobberCallerSaved();
        regs.get(0).markUnknown();
    }

    /** An instruction must always access the same kind of memory: its rewrite depends on it. */
    private void recordPtrType(RegState ptr) {
        InsnData a = env.aux[env.insnIdx];
        RegType t = ptr.type;
        if (a.ptrType == null) {
            a.ptrType = t;
        } else if (a.ptrType != t && (a.ptrType == RegType.PTR_TO_CTX || t == RegType.PTR_TO_CTX)) {
            throw VerifyError.invalid("same insn cannot be used with different pointers");
        }
    }

    /**
     * Checks one access of {@code size} bytes at {@code ptrReg + off}; for reads with
     * {@code valueReg >= 0} sets that register to what is loaded (check_mem_access).
     */
    void access(int ptrReg, int off, int size, boolean write, int valueReg, boolean strictOnce, boolean sx) {
        RegState reg = regs.get(ptrReg);
        if (reg.maybeNull()) {
            throw VerifyError.access("R%d invalid mem access '%s'", ptrReg, StatePrinter.typeName(reg));
        }
        checkAlignment(reg, off, size, strictOnce);
        int o = off + reg.off;
        RegState value = valueReg >= 0 ? regs.get(valueReg) : null;
        switch (reg.type) {
            case PTR_TO_MAP_KEY -> {
                if (write) {
                    throw VerifyError.access("write to change key R%d not allowed", ptrReg);
                }
                memRegion(ptrReg, reg, o, size, map(reg).keySize(), false);
                if (valueReg >= 0) {
                    value.markUnknown();
                }
            }
            case PTR_TO_MAP_VALUE -> mapValue(ptrReg, reg, o, size, write, valueReg, value, sx);
            case PTR_TO_MEM -> {
                boolean rdonly = (reg.flags & RegState.RDONLY) != 0;
                if (write && rdonly) {
                    throw VerifyError.access("R%d cannot write into %s", ptrReg, StatePrinter.typeName(reg));
                }
                if (write && value != null && value.isPointer()) {
                    throw VerifyError.access("R%d leaks addr into mem", valueReg);
                }
                memRegion(ptrReg, reg, o, size, reg.memSize, false);
                if (valueReg >= 0 && !write) {
                    value.markUnknown();
                }
            }
            case PTR_TO_CTX -> context(ptrReg, reg, o, size, write, valueReg, value);
            case PTR_TO_STACK -> {
                FuncState target = env.cur.frames[reg.frameNo];
                stack.withinBounds(ptrReg, reg, o, size, write, target);
                if (write) {
                    stack.write(ptrReg, reg, target, o, size, valueReg);
                } else {
                    stack.read(reg, target, o, size, valueReg);
                }
            }
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> {
                if (write && !mayWritePacket()) {
                    throw VerifyError.access("cannot write into packet");
                }
                if (write && value != null && value.isPointer()) {
                    throw VerifyError.access("R%d leaks addr into packet", valueReg);
                }
                packet(ptrReg, reg, o, size, false);
                if (!write && valueReg >= 0) {
                    value.markUnknown();
                }
            }
            case PTR_TO_BTF_ID -> {
                if (btfStruct(ptrReg, reg, o, size, write, valueReg, value)) {
                    return;
                }
            }
            default -> throw VerifyError.access("R%d invalid mem access '%s'", ptrReg, StatePrinter.typeName(reg));
        }
        if (!write && valueReg >= 0 && size < 8 && value.type == RegType.SCALAR) {
            if (sx) {
                value.coerceToSizeSx(size);
            } else {
                value.coerceToSize(size);
            }
        }
    }

    private boolean mayWritePacket() {
        return switch (env.progType) {
            case XDP, SCHED_CLS, SCHED_ACT, LWT_XMIT, SK_SKB, SK_MSG -> true;
            default -> false;
        };
    }

    MapDescriptor map(RegState reg) {
        return env.maps.get(reg.mapIndex);
    }

    private void mapValue(int ptrReg, RegState reg, int off, int size, boolean write, int valueReg, RegState value, boolean sx) {
        MapDescriptor m = map(reg);
        if (write && value != null && value.isPointer()) {
            throw VerifyError.access("R%d leaks addr into map", valueReg);
        }
        mapAccessAllowed(m, off, size, write);
        memRegion(ptrReg, reg, off, size, m.valueSize(), false);
        int lock = env.spinLockOffset(reg.mapIndex);
        if (lock >= 0) {
            long lo = reg.smin + off;
            long hi = reg.umax + off + size;
            if (lo < lock + 4 && lock < hi) {
                throw VerifyError.access("bpf_spin_lock cannot be accessed directly by load/store");
            }
        }
        if (!write && valueReg >= 0) {
            if (reg.isConst() && env.readOnlyValues.isConstant(reg.mapIndex)) {
                // a frozen read-only value: the load gives what it holds now and always will
                value.markKnown(env.readOnlyValues.read(reg.mapIndex, off + reg.tValue, size));
            } else {
                value.markUnknown();
            }
        }
    }

    /** Programs may not write a map that is read-only for them, nor read one that is write-only (check_map_access_type). */
    static void mapAccessAllowed(MapDescriptor m, int off, int size, boolean write) {
        if (write && (m.flags() & MapFlags.RDONLY_PROG) != 0) {
            throw VerifyError.access("write into map forbidden, value_size=%d off=%d size=%d", m.valueSize(), off, size);
        }
        if (!write && (m.flags() & MapFlags.WRONLY_PROG) != 0) {
            throw VerifyError.access("read from map forbidden, value_size=%d off=%d size=%d", m.valueSize(), off, size);
        }
    }

    /** Bounds of an access to an object of {@code memSize} bytes through a pointer with a variable offset (check_mem_region_access). */
    void memRegion(int regno, RegState reg, int off, int size, int memSize, boolean zeroSizeAllowed) {
        if (reg.smin < 0 && (reg.smin == Long.MIN_VALUE || off + reg.smin != (int) (off + reg.smin) || reg.smin + off < 0)) {
            throw VerifyError.access("R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno);
        }
        if (!memOk(reg.smin + off, size, memSize, zeroSizeAllowed)) {
            logBadAccess(regno, reg, reg.smin + off, size, memSize);
            throw VerifyError.access("R%d min value is outside of the allowed memory range", regno);
        }
        if (Long.compareUnsigned(reg.umax, Env.MAX_VAR_OFF) >= 0) {
            throw VerifyError.access("R%d unbounded memory access, make sure to bounds check any such access", regno);
        }
        if (!memOk(reg.umax + off, size, memSize, zeroSizeAllowed)) {
            logBadAccess(regno, reg, reg.umax + off, size, memSize);
            throw VerifyError.access("R%d max value is outside of the allowed memory range", regno);
        }
    }

    private static boolean memOk(long off, int size, long memSize, boolean zeroSizeAllowed) {
        boolean sizeOk = size > 0 || (size == 0 && zeroSizeAllowed);
        return off >= 0 && sizeOk && off + size <= memSize;
    }

    private void logBadAccess(int regno, RegState reg, long off, int size, long memSize) {
        switch (reg.type) {
            case PTR_TO_MAP_KEY -> env.log.printf("invalid access to map key, key_size=%d off=%d size=%d\n", memSize, off, size);
            case PTR_TO_MAP_VALUE -> env.log.printf("invalid access to map value, value_size=%d off=%d size=%d\n", memSize, off, size);
            case PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_PACKET_END ->
                    env.log.printf("invalid access to packet, off=%d size=%d, R%d(id=%d,off=%d,r=%d)\n", off, size, regno, reg.id, off, memSize);
            default -> env.log.printf("invalid access to memory, mem_size=%d off=%d size=%d\n", memSize, off, size);
        }
    }

    /** Packet bytes must lie in the range a comparison with data_end proved (check_packet_access). */
    void packet(int regno, RegState reg, int off, int size, boolean zeroSizeAllowed) {
        if (reg.smin < 0) {
            throw VerifyError.access("R%d min value is negative, either use unsigned index or do a if (index >=0) check.", regno);
        }
        if (reg.range < 0 || !memOk(off, size, reg.range, zeroSizeAllowed)) {
            if (reg.range >= 0) {
                logBadAccess(regno, reg, off, size, reg.range);
            }
            throw VerifyError.access("R%d offset is outside of the packet", regno);
        }
    }

    // ---- context -------------------------------------------------------------------------

    private void context(int ptrReg, RegState reg, int off, int size, boolean write, int valueReg, RegState value) {
        if (write && value != null && value.isPointer()) {
            throw VerifyError.access("R%d leaks addr into ctx", valueReg);
        }
        checkPtrOffReg(reg, ptrReg);
        ContextLayout.Field f = ctxField(off, size, write);
        recordCtxField(f, size);
        if (!write && valueReg >= 0) {
            switch (f.kind()) {
                case SCALAR -> {
                    value.markUnknown();
                    env.sdt.typeArgument(f, size, value);
                }
                case PACKET -> value.markPointer(RegType.PTR_TO_PACKET);
                case PACKET_END -> value.markPointer(RegType.PTR_TO_PACKET_END);
                case PACKET_META -> value.markPointer(RegType.PTR_TO_PACKET_META);
            }
        }
    }

    /** Every path must access the same context field with the same size at an instruction: its rewrite depends on it. */
    private void recordCtxField(ContextLayout.Field f, int size) {
        InsnData a = env.aux[env.insnIdx];
        if (a.ctxField != null && (a.ctxField != f || a.ctxSize != size)) {
            throw VerifyError.invalid("same insn cannot be used with different pointers");
        }
        a.ctxField = f;
        a.ctxSize = size;
    }

    /** The context field an access may touch, by the program type's rules (the kernel's is_valid_access). */
    private ContextLayout.Field ctxField(int off, int size, boolean write) {
        ContextLayout layout = env.ctx;
        Optional<ContextLayout.Field> field = off >= 0 && size > 0 ? layout.fieldAt(off, size) : Optional.empty();
        ContextLayout.Field f = field.orElse(null);
        boolean ok = f != null && off % size == 0;
        if (ok) {
            if (write) {
                ok = f.writable() && (size == f.size() || (f.narrowLoads() && size <= f.size()));
            } else {
                ok = f.readable() && (size == f.size() || (f.narrowLoads() && f.kind() == ContextLayout.Kind.SCALAR && size <= f.size()));
            }
        }
        if (ok && env.progType == ProgramType.XDP) {
            // xdp_md: whole u32 fields only; egress_ifindex only for devmap programs
            ok = size == 4 && !(f.name().equals("egress_ifindex") && env.attachType != AttachType.XDP_DEVMAP);
        }
        if (!ok) {
            throw VerifyError.access("invalid bpf_context access off=%d size=%d", off, size);
        }
        return f;
    }

    /** The context pointer itself must not have been moved (check_ptr_off_reg). */
    void checkPtrOffReg(RegState reg, int regno) {
        if (reg.off != 0) {
            throw VerifyError.access("dereference of modified %s ptr R%d off=%d disallowed", StatePrinter.typeName(reg), regno, reg.off);
        }
        if (!reg.isConst() || reg.tValue != 0) {
            throw VerifyError.access("variable %s access var_off=%s disallowed", StatePrinter.typeName(reg), reg.varOff());
        }
    }

    /** A read through a BTF pointer; true when the loaded value is final (no narrowing to the access size). */
    private boolean btfStruct(int ptrReg, RegState reg, int off, int size, boolean write, int valueReg, RegState value) {
        if (write) {
            throw VerifyError.access("only read is supported");
        }
        ContextLayout.Field f = env.sdt.contextField(ptrReg, reg, off, size);
        if (f == null) {
            memRegion(ptrReg, reg, off, size, reg.memSize, false);
            if (valueReg >= 0) {
                value.markUnknown();
            }
            return false;
        }
        // a context read by an SDT observer: rewritten to the native field, as the target's own reads are
        recordCtxField(f, size);
        if (valueReg >= 0) {
            value.markUnknown();
        }
        // a packet pointer field is read whole (8 bytes natively): as a number, with no bounds to narrow
        return f.kind() != ContextLayout.Kind.SCALAR;
    }

    // ---- alignment -----------------------------------------------------------------------

    private void checkAlignment(RegState reg, int off, int size, boolean strictOnce) {
        boolean strict = strictOnce;
        String desc;
        switch (reg.type) {
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> {
                if (!strict || size == 1) {
                    return;
                }
                Tnum t = reg.varOff().add(Tnum.constant(2L + reg.off + off));
                if (!t.isAligned(size)) {
                    throw VerifyError.access("misaligned packet access off %d+%s+%d+%d size %d", 2, reg.varOff(), reg.off, off, size);
                }
                return;
            }
            case PTR_TO_MAP_KEY -> desc = "key ";
            case PTR_TO_MAP_VALUE -> desc = "value ";
            case PTR_TO_CTX -> desc = "context ";
            case PTR_TO_STACK -> {
                desc = "stack ";
                strict = true;
            }
            default -> desc = "";
        }
        if (!strict || size == 1) {
            return;
        }
        Tnum t = reg.varOff().add(Tnum.constant((long) reg.off + off));
        if (!t.isAligned(size)) {
            throw VerifyError.access("misaligned %saccess off %s+%d+%d size %d", desc, reg.varOff(), reg.off, off, size);
        }
    }

    /** Every register and spilled register of every frame (bpf_for_each_reg_in_vstate). */
    static void forEachReg(VerifierState st, java.util.function.Consumer<RegState> f) {
        for (int fr = 0; fr <= st.curFrame; fr++) {
            FuncState fs = st.frames[fr];
            for (RegState r : fs.regs) {
                f.accept(r);
            }
            for (int spi = 0; spi < fs.allocated / 8; spi++) {
                if (fs.isSpilled(spi) && fs.spilled[spi] != null) {
                    f.accept(fs.spilled[spi]);
                }
            }
        }
    }

    /** After a comparison with data_end: every copy of the packet pointer gains the proven range (find_good_pkt_pointers). */
    static void findGoodPktPointers(VerifierState st, RegState dst, RegType type, boolean rangeRightOpen) {
        if (dst.off < 0 || (dst.off == 0 && rangeRightOpen)) {
            return;
        }
        if (Long.compareUnsigned(dst.umax, MAX_PACKET_OFF) > 0 || dst.umax + dst.off > MAX_PACKET_OFF) {
            return;
        }
        int newRange = dst.off + (rangeRightOpen ? 1 : 0);
        int id = dst.id;
        forEachReg(st, r -> {
            if (r.type == type && r.id == id) {
                r.range = Math.max(r.range, newRange);
            }
        });
    }

    static final int AT_PKT_END = -1, BEYOND_PKT_END = -2;

    static void markPktEnd(VerifierState st, int regno, boolean rangeOpen) {
        RegState r = st.reg(regno);
        if (r.type != RegType.PTR_TO_PACKET) {
            return;
        }
        r.range = rangeOpen ? BEYOND_PKT_END : AT_PKT_END;
    }
}
