package org.bpfsdt.verifier.check;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.ArgType;
import org.bpfsdt.api.spi.HelperProto;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.domain.FuncState;
import org.bpfsdt.verifier.domain.RefState;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.domain.VerifierState;
import org.bpfsdt.verifier.log.StatePrinter;

/**
 * Helper calls, bpf-to-bpf calls, callbacks and exits (the kernel's check_helper_call,
 * check_func_call, prepare_func_exit and check_return_code): argument types against the
 * helper's prototype, acquired and released references, spin locks, frames and return values.
 */
final class Calls {
    private static final int MAX_VAR_SIZ = 1 << 29;

    private final Env env;
    private final Regs regs;
    private final Memory mem;
    private final Precision precision;
    private final Checker checker;

    Calls(Env env, Regs regs, Memory mem, Precision precision, Checker checker) {
        this.env = env;
        this.regs = regs;
        this.mem = mem;
        this.precision = precision;
        this.checker = checker;
    }

    /** What the arguments of one call established (the kernel's bpf_call_arg_meta). */
    private static final class Meta {
        int mapIndex = -1;
        int refObjId;
        int releaseRegno;
        long memSize;
        int subprog = -1;
        boolean rawMode;
        int rawRegno = -1;
        int rawSize;
        long constMapKey = -1;
    }

    // ---- helpers -------------------------------------------------------------------------

    void helper(Insn in) {
        int id = in.imm();
        HelperId hid = HelperId.byId(id);
        HelperProto fn = env.helper(id);
        if (fn == null) {
            if (hid == null || hid == HelperId.UNSPEC) {
                throw VerifyError.invalid("invalid func unknown#%d", id);
            }
            throw VerifyError.invalid("program of this type cannot use helper %s#%d", hid.cName(), id);
        }
        String name = hid.cName();
        if (fn.gplOnly() && !env.req.gplCompatible()) {
            throw VerifyError.invalid("cannot call GPL-restricted function from non-GPL compatible program");
        }
        VerifierState st = env.cur;
        if (st.activeLockId != 0 && hid != HelperId.SPIN_UNLOCK && hid != HelperId.SPIN_LOCK) {
            throw VerifyError.invalid("function calls are not allowed while holding a lock");
        }
        Meta meta = new Meta();
        for (int i = 0; i < 5; i++) {
            arg(fn, i, meta, hid);
        }
        recordMap(meta);
        if (meta.mapIndex >= 0 && (env.maps.get(meta.mapIndex).flags() & MapFlags.RDONLY_PROG) != 0 && (hid == HelperId.MAP_UPDATE_ELEM
                || hid == HelperId.MAP_DELETE_ELEM || hid == HelperId.MAP_PUSH_ELEM || hid == HelperId.MAP_POP_ELEM)) {
            // what programs cannot change stays what the verifier read (record_func_map)
            throw VerifyError.access("write into map forbidden");
        }
        if (meta.rawMode && meta.rawRegno >= 0) {
            // the helper fills the buffer: it becomes initialised bytes
            for (int i = 0; i < meta.rawSize; i++) {
                mem.access(meta.rawRegno, i, 1, Memory.WRITE, -1, false, false);
            }
        }
        if (meta.releaseRegno != 0) {
            if (meta.refObjId != 0) {
                releaseReference(meta.refObjId);
            } else {
                throw VerifyError.invalid("func %s#%d reference has not been acquired before", name, id);
            }
        }
        switch (hid) {
            case TAIL_CALL -> checkResourceLeak(false, true, "tail_call");
            case SPIN_LOCK -> spinLock(true);
            case SPIN_UNLOCK -> spinLock(false);
            case LOOP -> {
                precision.mark(1);
                RegState r1 = regs.get(1);
                FuncState caller = st.cur();
                if (Long.compareUnsigned(caller.callbackDepth, r1.umax) < 0) {
                    checker.pushCallback(in, meta.subprog);
                } else {
                    caller.callbackDepth = 0;
                }
            }
            default -> {
            }
        }
        FuncState f = st.cur();
        regs.clobberCallerSaved();
        RegState r0 = f.regs[0];
        switch (fn.ret()) {
            case INTEGER -> r0.markUnknown();
            case VOID -> r0.markNotInit();
            case PTR_TO_MAP_VALUE_OR_NULL -> {
                r0.markPointer(RegType.PTR_TO_MAP_VALUE);
                r0.mapIndex = meta.mapIndex;
                MapDescriptor m = env.maps.get(meta.mapIndex);
                boolean nonNull = hid == HelperId.MAP_LOOKUP_ELEM && elideNullness(m.type()) && meta.constMapKey >= 0
                        && meta.constMapKey < (m.maxEntries() & 0xffffffffL);
                if (!nonNull) {
                    r0.flags |= RegState.MAYBE_NULL;
                } else if (env.spinLockOffset(meta.mapIndex) >= 0) {
                    r0.id = env.newId();
                }
            }
            case PTR_TO_ALLOC_MEM_OR_NULL -> {
                r0.markPointer(RegType.PTR_TO_MEM);
                r0.flags = RegState.MAYBE_NULL | RegState.RINGBUF;
                r0.memSize = (int) meta.memSize;
            }
        }
        if (r0.maybeNull()) {
            r0.id = env.newId();
        }
        if (hid == HelperId.RINGBUF_RESERVE) {
            int ref = env.newId();
            st.addRef(new RefState(ref, env.insnIdx, false));
            r0.id = ref;
            r0.refObjId = ref;
        }
        mapCompatibility(meta.mapIndex, hid, name, id);
        if (fn.changesPacket()) {
            clearPacketPointers(st);
        }
    }

    private static boolean elideNullness(MapType t) {
        return t == MapType.ARRAY || t == MapType.PERCPU_ARRAY;
    }

    /** One argument against its declared type (check_func_arg). */
    private void arg(HelperProto fn, int i, Meta meta, HelperId hid) {
        ArgType t = fn.arg(i);
        int regno = i + 1;
        if (t == ArgType.DONTCARE) {
            return;
        }
        RegState reg = regs.read(regno);
        if (t == ArgType.ANYTHING) {
            if (reg.isPointer()) {
                throw VerifyError.access("R%d leaks addr into helper function", regno);
            }
            return;
        }
        if (reg.isPacket() && !fn.pktAccess()) {
            throw VerifyError.access("helper access to the packet is not allowed");
        }
        boolean isNull = reg.type == RegType.SCALAR && reg.isConst(0);
        boolean mayBeNullArg = t == ArgType.PTR_TO_MEM_OR_NULL || t == ArgType.PTR_TO_STACK_OR_NULL;
        if (!(isNull && mayBeNullArg)) {
            checkRegType(regno, reg, t);
            if (t != ArgType.PTR_TO_RINGBUF_MEM_RELEASE && reg.type == RegType.PTR_TO_CTX) {
                mem.checkPtrOffReg(reg, regno);
            }
            if (t == ArgType.PTR_TO_CTX && reg.type == RegType.PTR_TO_BTF_ID) {
                env.sdt.contextArgument(hid, regno, reg);
            }
        }
        if (t == ArgType.PTR_TO_RINGBUF_MEM_RELEASE) {
            if (reg.refObjId == 0 && !isNull) {
                throw VerifyError.invalid("R%d must be referenced when passed to release function", regno);
            }
            if (reg.off != 0 || !reg.isConst(0)) {
                throw VerifyError.invalid("R%d must have zero offset when passed to release func or trusted arg to kfunc", regno);
            }
            meta.releaseRegno = regno;
        }
        if (reg.refObjId != 0) {
            if (meta.refObjId != 0) {
                throw VerifyError.access("more than one arg with ref_obj_id R%d %d %d", regno, reg.refObjId, meta.refObjId);
            }
            meta.refObjId = reg.refObjId;
        }
        switch (t) {
            case CONST_MAP_PTR -> meta.mapIndex = reg.mapIndex;
            case PTR_TO_MAP_KEY -> {
                if (meta.mapIndex < 0) {
                    throw VerifyError.access("invalid map_ptr to access map->key");
                }
                MapDescriptor m = env.maps.get(meta.mapIndex);
                helperMem(regno, m.keySize(), false, false, null);
                if (elideNullness(m.type())) {
                    meta.constMapKey = constantKey(reg, m.keySize());
                }
            }
            case PTR_TO_MAP_VALUE, PTR_TO_UNINIT_MAP_VALUE -> {
                if (meta.mapIndex < 0) {
                    throw VerifyError.access("invalid map_ptr to access map->value");
                }
                boolean uninit = t == ArgType.PTR_TO_UNINIT_MAP_VALUE;
                meta.rawMode = uninit;
                helperMem(regno, env.maps.get(meta.mapIndex).valueSize(), uninit, false, uninit ? meta : null);
            }
            case PTR_TO_FUNC -> {
                if (reg.off != 0 || !reg.isConst(0)) {
                    throw VerifyError.access("R%d is a modified function pointer (off=%d)", regno, reg.off);
                }
                meta.subprog = reg.mapIndex;
            }
            case PTR_TO_MEM, PTR_TO_MEM_OR_NULL -> meta.rawMode = false;
            case PTR_TO_UNINIT_MEM -> meta.rawMode = true;
            case CONST_SIZE, CONST_SIZE_OR_ZERO -> sizeArg(fn, i, regno, reg, t == ArgType.CONST_SIZE_OR_ZERO, meta);
            case CONST_ALLOC_SIZE_OR_ZERO -> {
                if (!reg.isConst()) {
                    throw VerifyError.access("R%d is not a known constant'", regno);
                }
                meta.memSize = reg.tValue;
                precision.mark(regno);
            }
            case PTR_TO_SPIN_LOCK -> {
                if (!reg.isConst()) {
                    throw VerifyError.access("R%d doesn't have constant offset. bpf_spin_lock has to be at the constant offset", regno);
                }
                MapDescriptor m = env.maps.get(reg.mapIndex);
                int lock = env.spinLockOffset(reg.mapIndex);
                if (lock < 0) {
                    throw VerifyError.invalid("map '%s' has no valid bpf_spin_lock", "map#" + m.id());
                }
                if (lock != reg.tValue + reg.off) {
                    throw VerifyError.invalid("off %d doesn't point to 'struct bpf_spin_lock' that is at %d", reg.tValue + reg.off, lock);
                }
                meta.mapIndex = reg.mapIndex;
            }
            case PTR_TO_CONST_STR -> constString(regno, reg);
            case PTR_TO_LONG -> helperMem(regno, 8, true, false, meta);
            default -> {
            }
        }
    }

    /** The size argument bounds the memory argument before it (check_mem_size_reg). */
    private void sizeArg(HelperProto fn, int i, int regno, RegState reg, boolean zeroOk, Meta meta) {
        ArgType memType = fn.arg(i - 1);
        boolean write = memType == ArgType.PTR_TO_UNINIT_MEM;
        Meta m = reg.isConst() ? meta : null;
        if (reg.smin < 0) {
            throw VerifyError.access("R%d min value is negative, either use unsigned or 'var &= const'", regno);
        }
        if (reg.umin == 0 && !zeroOk) {
            throw VerifyError.access("R%d invalid zero-sized read: u64=[%d,%d]", regno, reg.umin, reg.umax);
        }
        if (Long.compareUnsigned(reg.umax, MAX_VAR_SIZ) >= 0) {
            throw VerifyError.access("R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", regno);
        }
        RegState memReg = regs.get(regno - 1);
        boolean isNull = memReg.type == RegType.SCALAR && memReg.isConst(0);
        if (!(isNull && zeroOk && reg.umax == 0)) {
            if (isNull) {
                throw VerifyError.access("R%d type=scalar expected=fp", regno - 1);
            }
            helperMem(regno - 1, (int) reg.umax, write, zeroOk, write && m != null ? m : null);
        }
        precision.mark(regno);
    }

    /** Memory a helper reads or writes through register {@code regno} (check_helper_mem_access). */
    private void helperMem(int regno, int size, boolean write, boolean zeroOk, Meta raw) {
        RegState reg = regs.get(regno);
        switch (reg.type) {
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> mem.packet(regno, reg, reg.off, size, zeroOk);
            case PTR_TO_MAP_KEY -> {
                if (write) {
                    throw VerifyError.access("R%d cannot write into %s", regno, StatePrinter.typeName(reg));
                }
                mem.memRegion(regno, reg, reg.off, size, mem.map(reg).keySize(), false);
            }
            case PTR_TO_MAP_VALUE -> {
                MapDescriptor m = mem.map(reg);
                Memory.mapAccessAllowed(m, reg.off, size, write);
                mem.memRegion(regno, reg, reg.off, size, m.valueSize(), zeroOk);
                int lock = env.spinLockOffset(reg.mapIndex);
                if (lock >= 0 && size > 0 && reg.smin + reg.off < lock + 4 && lock < reg.umax + reg.off + size) {
                    // a helper (or a global function) writing the lock word could leave it held for ever
                    throw VerifyError.access("bpf_spin_lock cannot be accessed indirectly by helper");
                }
            }
            case PTR_TO_MEM -> {
                if ((reg.flags & RegState.RDONLY) != 0 && write) {
                    throw VerifyError.access("R%d cannot write into %s", regno, StatePrinter.typeName(reg));
                }
                mem.memRegion(regno, reg, reg.off, size, reg.memSize, zeroOk);
            }
            case PTR_TO_STACK -> stackRange(regno, reg, size, zeroOk, write, raw);
            case PTR_TO_BTF_ID -> mem.memRegion(regno, reg, reg.off, size, reg.memSize, zeroOk);
            default -> {
                if (zeroOk && size == 0 && reg.type == RegType.SCALAR && reg.isConst(0)) {
                    return;
                }
                throw VerifyError.access("R%d type=%s expected=fp", regno, StatePrinter.typeName(reg));
            }
        }
    }

    private void stackRange(int regno, RegState reg, int size, boolean zeroOk, boolean write, Meta raw) {
        if (size == 0 && !zeroOk) {
            throw VerifyError.access("invalid zero-sized read");
        }
        FuncState st = env.cur.frames[reg.frameNo];
        mem.stack().withinBounds(regno, reg, reg.off, size, write, st);
        int minOff, maxOff;
        if (reg.isConst()) {
            minOff = maxOff = (int) (reg.tValue + reg.off);
        } else {
            raw = null;
            minOff = (int) (reg.smin + reg.off);
            maxOff = (int) (reg.smax + reg.off);
        }
        if (raw != null && write) {
            raw.rawRegno = regno;
            raw.rawSize = size;
            return;
        }
        String what = "invalid read from stack";
        mem.stack().rangeInitialized(st, minOff, maxOff - minOff + size, what, regno, true);
        if (write) {
            mem.stack().clobber(st, minOff, maxOff - minOff + size);
        }
    }

    /**
     * The constant key of an array lookup, when the key bytes on the stack are known: all zero,
     * or a spilled constant of exactly the key's size; else -1 (get_constant_map_key).
     */
    private long constantKey(RegState key, int keySize) {
        if (key.type != RegType.PTR_TO_STACK || !key.isConst()) {
            return -1;
        }
        FuncState st = env.cur.frames[key.frameNo];
        int stackOff = (int) (key.tValue + key.off);
        int slot = -stackOff - 1;
        int spi = slot / 8;
        int first = slot % 8;
        if (slot < 0 || slot >= st.allocated) {
            return -1;
        }
        byte[] t = st.slotType;
        int zeros = 0;
        for (int i = first; i >= 0 && t[spi * 8 + i] == org.bpfsdt.verifier.domain.StackSlot.ZERO; i--) {
            zeros++;
        }
        if (zeros >= keySize) {
            return 0;
        }
        RegState r = st.isSpilled(spi) ? st.spilled[spi] : null;
        if (r == null || r.type != RegType.SCALAR) {
            return -1;
        }
        int spillSize = 0;
        for (int i = first; i >= 0 && t[spi * 8 + i] == org.bpfsdt.verifier.domain.StackSlot.SPILL; i--) {
            spillSize++;
        }
        if (spillSize != keySize || !r.isConst()) {
            return -1;
        }
        // the lookup's result depends on this exact value
        precision.markStackSlot(key.frameNo, spi);
        return r.tValue;
    }

    private void constString(int regno, RegState reg) {
        if (reg.type != RegType.PTR_TO_MAP_VALUE) {
            throw VerifyError.access("R%d type=%s expected=map_value", regno, StatePrinter.typeName(reg));
        }
        MapDescriptor m = mem.map(reg);
        if ((m.flags() & MapFlags.RDONLY_PROG) == 0 || !m.frozen()) {
            throw VerifyError.access("R%d does not point to a readonly map'", regno);
        }
        if (!reg.isConst()) {
            throw VerifyError.access("R%d is not a constant address'", regno);
        }
        mem.memRegion(regno, reg, reg.off, 1, m.valueSize(), false);
    }

    /** The register's type must be one the argument type accepts (check_reg_type). */
    private void checkRegType(int regno, RegState reg, ArgType t) {
        RegType rt = reg.type;
        boolean ok;
        String expected;
        switch (t) {
            case CONST_MAP_PTR -> {
                ok = rt == RegType.CONST_PTR_TO_MAP;
                expected = "map_ptr";
            }
            case PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_UNINIT_MAP_VALUE -> {
                ok = (rt == RegType.PTR_TO_STACK || rt.isPacket() || rt == RegType.PTR_TO_MAP_KEY || rt == RegType.PTR_TO_MAP_VALUE)
                        && !reg.maybeNull();
                expected = "fp, pkt, pkt_meta, map_key, map_value";
            }
            case PTR_TO_MEM, PTR_TO_MEM_OR_NULL, PTR_TO_UNINIT_MEM -> {
                ok = (rt == RegType.PTR_TO_STACK || rt.isPacket() || rt == RegType.PTR_TO_MAP_KEY || rt == RegType.PTR_TO_MAP_VALUE
                        || rt == RegType.PTR_TO_MEM) && !reg.maybeNull()
                        && !(t == ArgType.PTR_TO_UNINIT_MEM && (reg.flags & RegState.RDONLY) != 0);
                expected = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";
            }
            case CONST_SIZE, CONST_SIZE_OR_ZERO, CONST_ALLOC_SIZE_OR_ZERO -> {
                ok = rt == RegType.SCALAR;
                expected = "scalar";
            }
            case PTR_TO_CTX -> {
                // an SDT observer's context pointer: which helper may take it, the SDT rules decide (arg())
                ok = rt == RegType.PTR_TO_CTX || (rt == RegType.PTR_TO_BTF_ID && env.attachType == AttachType.TRACE_SDT);
                expected = "ctx";
            }
            case PTR_TO_RINGBUF_MEM_RELEASE -> {
                ok = rt == RegType.PTR_TO_MEM && (reg.flags & RegState.RINGBUF) != 0 && !reg.maybeNull();
                expected = "ringbuf_mem";
            }
            case PTR_TO_SPIN_LOCK -> {
                ok = rt == RegType.PTR_TO_MAP_VALUE && !reg.maybeNull();
                expected = "map_value";
            }
            case PTR_TO_FUNC -> {
                ok = rt == RegType.PTR_TO_FUNC;
                expected = "func";
            }
            case PTR_TO_STACK_OR_NULL -> {
                ok = rt == RegType.PTR_TO_STACK;
                expected = "fp";
            }
            case PTR_TO_CONST_STR -> {
                ok = rt == RegType.PTR_TO_MAP_VALUE && !reg.maybeNull();
                expected = "map_value";
            }
            case PTR_TO_LONG -> {
                ok = rt == RegType.PTR_TO_STACK || rt == RegType.PTR_TO_MAP_VALUE;
                expected = "fp, map_value";
            }
            default -> {
                ok = true;
                expected = "";
            }
        }
        if (!ok) {
            throw VerifyError.access("R%d type=%s expected=%s", regno, StatePrinter.typeName(reg), expected);
        }
    }

    /** Per-instruction record of the map a helper call uses, so a constant map can be specialised (record_func_map). */
    private void recordMap(Meta meta) {
        if (meta.mapIndex < 0) {
            return;
        }
        InsnData a = env.aux[env.insnIdx];
        if (a.mapIndex == -1) {
            a.mapIndex = meta.mapIndex;
        } else if (a.mapIndex != meta.mapIndex) {
            a.mapIndex = -2;
        }
    }

    /** Which helpers each map type works with (check_map_func_compatibility). */
    private void mapCompatibility(int mapIndex, HelperId hid, String name, int id) {
        if (mapIndex < 0) {
            if (hid == HelperId.TAIL_CALL || hid == HelperId.RINGBUF_OUTPUT || hid == HelperId.RINGBUF_RESERVE) {
                throw VerifyError.invalid("cannot pass map_type %d into func %s#%d", 0, name, id);
            }
            return;
        }
        MapDescriptor m = env.maps.get(mapIndex);
        MapType t = m.type();
        boolean ok = switch (t) {
            case PROG_ARRAY -> hid == HelperId.TAIL_CALL;
            case RINGBUF -> hid == HelperId.RINGBUF_OUTPUT || hid == HelperId.RINGBUF_RESERVE || hid == HelperId.RINGBUF_QUERY;
            case QUEUE, STACK -> hid == HelperId.MAP_PEEK_ELEM || hid == HelperId.MAP_POP_ELEM || hid == HelperId.MAP_PUSH_ELEM;
            case BLOOM_FILTER -> hid == HelperId.MAP_PEEK_ELEM || hid == HelperId.MAP_PUSH_ELEM;
            case INSN_ARRAY -> false;
            default -> hid != HelperId.MAP_PEEK_ELEM && hid != HelperId.MAP_POP_ELEM && hid != HelperId.MAP_PUSH_ELEM
                    && hid != HelperId.TAIL_CALL && hid != HelperId.RINGBUF_OUTPUT && hid != HelperId.RINGBUF_RESERVE
                    && hid != HelperId.RINGBUF_QUERY;
        };
        if (ok && (hid == HelperId.SPIN_LOCK || hid == HelperId.SPIN_UNLOCK) && env.progType == ProgramType.TRACING) {
            throw VerifyError.invalid("tracing progs cannot use bpf_spin_lock yet");
        }
        if (!ok) {
            throw VerifyError.invalid("cannot pass map_type %d into func %s#%d", t.kernelId(), name, id);
        }
    }

    private void spinLock(boolean lock) {
        VerifierState st = env.cur;
        RegState r1 = st.reg(1);
        if (lock) {
            if (st.activeLockId != 0) {
                throw VerifyError.invalid("Locking two bpf_spin_locks are not allowed");
            }
            int id = env.newId();
            st.activeLockId = id;
            st.activeLockMap = r1.mapIndex;
            st.activeLockPtrId = r1.id;
            st.addRef(new RefState(id, env.insnIdx, true));
        } else {
            if (st.activeLockId == 0) {
                throw VerifyError.invalid("bpf_spin_unlock without taking a lock");
            }
            if (st.activeLockMap != r1.mapIndex || st.activeLockPtrId != r1.id) {
                throw VerifyError.invalid("bpf_spin_unlock of different lock");
            }
            st.removeRef(st.activeLockId);
            st.activeLockId = 0;
            st.activeLockMap = -1;
            st.activeLockPtrId = 0;
        }
    }

    private void releaseReference(int refId) {
        VerifierState st = env.cur;
        if (!st.removeRef(refId)) {
            throw VerifyError.invalid("reference has not been acquired before");
        }
        // every copy of the released pointer becomes unusable
        Memory.forEachReg(st, r -> {
            if (r.refObjId == refId) {
                r.markUnknown();
            }
        });
    }

    /** After a helper that may move the packet: packet pointers are stale (clear_all_pkt_pointers). */
    static void clearPacketPointers(VerifierState st) {
        Memory.forEachReg(st, r -> {
            if (r.isPacket() || r.type == RegType.PTR_TO_PACKET_END) {
                r.markUnknown();
            }
        });
    }

    /** Leaving with references held or a lock taken (check_resource_leak). */
    void checkResourceLeak(boolean exceptionExit, boolean checkLock, String prefix) {
        VerifierState st = env.cur;
        if (checkLock && st.activeLockId != 0) {
            throw VerifyError.invalid("%s cannot be used inside bpf_spin_lock-ed region", prefix);
        }
        if (!exceptionExit && st.curFrame != 0) {
            return;
        }
        boolean lingering = false;
        for (RefState r : st.refs) {
            if (!r.lock()) {
                env.log.printf("Unreleased reference id=%d alloc_insn=%d\n", r.id(), r.insnIdx());
                lingering = true;
            }
        }
        if (lingering) {
            throw VerifyError.invalid("%s would lead to reference leak", prefix);
        }
    }

    // ---- bpf-to-bpf calls ------------------------------------------------------------------

    /**
     * A call to a subprogram (check_func_call): a static function gets a new frame with the
     * arguments and is verified from here; a global function was (or will be) verified on its
     * own, so only the arguments are checked and it returns an unknown scalar.
     */
    int localCall(Insn in, int idx) {
        VerifierState st = env.cur;
        int target = idx + 1 + in.imm();
        int subprog = env.cfg.subprogAt(target);
        if (st.curFrame + 1 >= MAX_CALL_FRAMES) {
            throw new VerifyError(Errno.E2BIG, String.format("the call stack of %d frames is too deep", st.curFrame + 2));
        }
        if (env.funcs.isGlobal(subprog)) {
            return globalCall(idx, subprog);
        }
        FuncState caller = st.cur();
        FuncState callee = calleeFrame(st, subprog, idx);
        for (int r = 1; r <= 5; r++) {
            callee.regs[r].copyFrom(caller.regs[r]);
        }
        st.frames[st.curFrame + 1] = callee;
        regs.clobberCallerSaved();
        st.curFrame++;
        return target;
    }

    private int globalCall(int idx, int subprog) {
        VerifierState st = env.cur;
        String name = env.funcs.name(subprog);
        if (st.activeLockId != 0) {
            throw VerifyError.invalid("global function calls are not allowed while holding a lock,\nuse static function instead");
        }
        try {
            List<Functions.Arg> args = env.funcs.args(subprog);
            for (int i = 0; i < args.size(); i++) {
                globalArg(i, args.get(i));
            }
        } catch (VerifyError e) {
            // the kernel's message, then which call it was about
            throw new VerifyError(e.errno(), e.getMessage() + String.format("\nCaller passes invalid args into func#%d ('%s')", subprog, name));
        }
        env.log.printf("Func#%d ('%s') is global and assumed valid.\n", subprog, name);
        env.globalCalled[subprog] = true;
        if (env.funcs.changesPacket(subprog, id -> {
            HelperProto p = env.helper(id);
            return p != null && p.changesPacket();
        })) {
            clearPacketPointers(st);
        }
        regs.clobberCallerSaved();
        // all the caller learns: r0 is some scalar
        regs.get(0).markUnknown();
        return idx + 1;
    }

    /** Argument {@code i} of a global function call against its BTF type (btf_check_func_arg_match). */
    private void globalArg(int i, Functions.Arg arg) {
        int regno = i + 1;
        RegState reg = regs.get(regno);
        env.scratchReg(regno);
        switch (arg.kind()) {
            case SCALAR -> {
                if (reg.type != RegType.SCALAR) {
                    throw VerifyError.invalid("R%d is not a scalar", regno);
                }
            }
            case CTX -> {
                if (reg.type != RegType.PTR_TO_CTX) {
                    throw VerifyError.invalid("arg#%d expects pointer to ctx", i);
                }
                mem.checkPtrOffReg(reg, regno);
            }
            case MEM, MEM_OR_NULL -> {
                if (reg.type == RegType.SCALAR && reg.isConst(0)) {
                    if (arg.kind() == Functions.ArgKind.MEM) {
                        // the callee dereferences it unchecked (the kernel lets a literal NULL through here)
                        throw VerifyError.invalid("arg#%d is expected to be non-NULL", i);
                    }
                    return;
                }
                boolean maybeNull = reg.maybeNull();
                if (maybeNull && arg.kind() == Functions.ArgKind.MEM) {
                    throw VerifyError.invalid("arg#%d is expected to be non-NULL", i);
                }
                if (!reg.isPointer()) {
                    throw VerifyError.invalid("R%d type=%s expected=fp", regno, StatePrinter.typeName(reg));
                }
                // the callee may read and write all of it (check_mem_reg); a NULL pointer is the callee's to check
                int flags = reg.flags;
                reg.flags &= ~RegState.MAYBE_NULL;
                try {
                    helperMem(regno, arg.size(), false, true, null);
                    helperMem(regno, arg.size(), true, true, null);
                } catch (VerifyError e) {
                    throw VerifyError.invalid("%s", e.getMessage());
                } finally {
                    reg.flags = flags;
                }
            }
        }
    }

    /** Sets up a frame for a {@code bpf_loop} callback: r1 the index, r2 the context (set_loop_callback_state). */
    FuncState callbackFrame(VerifierState st, int subprog, int callsite) {
        FuncState caller = st.cur();
        FuncState callee = calleeFrame(st, subprog, callsite);
        callee.regs[1].markUnknown();
        callee.regs[2].copyFrom(caller.regs[3]);
        callee.inCallback = true;
        callee.callbackRetMin = 0;
        callee.callbackRetMax = 1;
        return callee;
    }

    /** A new frame above {@code st}'s current one for {@code subprog}, called at {@code callsite}: only r10 is set, to its own stack. */
    private static FuncState calleeFrame(VerifierState st, int subprog, int callsite) {
        FuncState callee = new FuncState(st.curFrame + 1, subprog, callsite);
        callee.regs[10].markPointer(RegType.PTR_TO_STACK);
        callee.regs[10].frameNo = callee.frameNo;
        return callee;
    }

    /** {@code exit} from a subprogram: back to the caller with r0 (prepare_func_exit); returns the next instruction. */
    int returnFromSubprog() {
        VerifierState st = env.cur;
        FuncState callee = st.cur();
        RegState r0 = callee.regs[0];
        if (r0.type == RegType.PTR_TO_STACK) {
            throw VerifyError.invalid("cannot return stack pointer to the caller");
        }
        FuncState caller = st.frames[st.curFrame - 1];
        int next;
        if (callee.inCallback) {
            regs.read(0);
            if (r0.type != RegType.SCALAR) {
                throw VerifyError.invalid("At callback return the register R0 is not a known value (%s)", StatePrinter.typeName(r0));
            }
            precision.mark(0);
            if (r0.smin < callee.callbackRetMin || r0.smax > callee.callbackRetMax) {
                throw VerifyError.invalid("%s", invalidScalar(r0, "At callback return", "R0", callee.callbackRetMin, callee.callbackRetMax));
            }
            next = callee.callsite;
        } else {
            // whatever r0 holds goes back to the caller, which must not read it if it is not initialised
            caller.regs[0].copyFrom(r0);
            next = callee.callsite + 1;
        }
        if (env.log.enabled()) {
            StringBuilder sb = new StringBuilder("returning from callee:\n");
            sb.append(" frame").append(callee.frameNo).append(':');
            env.printer.appendFrame(sb, st, callee, -1, -1, true);
            sb.append("\nto caller at ").append(next).append(":\n");
            sb.append(" frame").append(caller.frameNo).append(':');
            env.printer.appendFrame(sb, st, caller, -1, -1, true);
            sb.append('\n');
            env.log.print(sb.toString());
        }
        st.frames[st.curFrame] = null;
        st.curFrame--;
        return next;
    }

    /**
     * {@code exit} of the main program or of a global function verified on its own: r0 must be
     * a value the program type may return, or for a global function any scalar (check_return_code).
     */
    void checkReturn() {
        RegState r0 = regs.read(0);
        if (env.cur.frames[0].subprog != 0) {
            if (r0.type != RegType.SCALAR) {
                throw VerifyError.invalid("At subprogram exit the register R0 is not a scalar value (%s)", StatePrinter.typeName(r0));
            }
            return;
        }
        if (r0.isPointer()) {
            throw VerifyError.access("R0 leaks addr as return value");
        }
        long[] range = returnRange();
        if (range == null) {
            return;
        }
        precision.mark(0);
        if (r0.smin < range[0] || r0.smax > range[1]) {
            throw VerifyError.invalid("%s", invalidScalar(r0, "At program exit", "R0", range[0], range[1]));
        }
    }

    /** The range a program's return value must lie in, or null when anything goes. */
    private long[] returnRange() {
        if (env.progType == ProgramType.TRACING) {
            AttachType a = env.attachType;
            if (a == AttachType.TRACE_FENTRY || a == AttachType.TRACE_FEXIT) {
                return new long[] {0, 0};
            }
            return null;
        }
        return switch (env.progType) {
            case CGROUP_SKB, CGROUP_SOCK, SOCK_OPS, CGROUP_DEVICE, CGROUP_SYSCTL, CGROUP_SOCKOPT, SK_LOOKUP, NETFILTER -> new long[] {0, 1};
            default -> null;
        };
    }

    static String invalidScalar(RegState r, String ctx, String name, long min, long max) {
        StringBuilder sb = new StringBuilder(ctx).append(" the register ").append(name).append(" has");
        boolean unknown = true;
        if (r.smin > Long.MIN_VALUE) {
            sb.append(" smin=").append(r.smin);
            unknown = false;
        }
        if (r.smax < Long.MAX_VALUE) {
            sb.append(" smax=").append(r.smax);
            unknown = false;
        }
        if (unknown) {
            sb.append(" unknown scalar value");
        }
        return sb.append(" should have been in [").append(min).append(", ").append(max).append(']').toString();
    }
}
