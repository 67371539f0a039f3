package org.bpfsdt.verifier.check;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.ContextLayout;
import org.bpfsdt.api.spi.HelperProto;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.verifier.cfg.ControlFlow;
import org.bpfsdt.verifier.domain.VerifierState;
import org.bpfsdt.verifier.log.StatePrinter;
import org.bpfsdt.verifier.log.VerifierLog;

/** One verification's shared context (the kernel's {@code bpf_verifier_env}). */
public final class Env {
    /** The kernel's budget of processed instructions. */
    public static final int COMPLEXITY_LIMIT_INSNS = 1_000_000;
    /** The kernel's limit on pending branches. */
    public static final int COMPLEXITY_LIMIT_JMP_SEQ = 8192;
    /** The kernel's bound on pointer offsets and sizes (BPF_MAX_VAR_OFF): arithmetic beyond it is refused before it can wrap. */
    public static final int MAX_VAR_OFF = 1 << 29;

    public final VerifierRequest req;
    public final ControlFlow cfg;
    public final Insn[] insns;
    public final List<MapDescriptor> maps;
    public final ContextLayout ctx;
    public final ProgramType progType;
    public final AttachType attachType;
    public final VerifierLog log;
    public final StatePrinter printer;
    public final InsnData[] aux;
    /** The SDT rules of this program (observer arguments, probe sites). */
    public final SdtRules sdt;
    /** Stack depth each subprogram uses (bytes). */
    public final int[] subprogStack;
    /** Explored checkpoints per instruction. */
    public final List<List<VerifierState>> explored;

    public VerifierState cur;
    /**
     * Set once a path was pruned against a checkpoint still being explored (may_goto and
     * callback loops): marks of finished checkpoints may then be incomplete, so comparisons stop
     * relying on them (the kernel propagates them along the loop's back edges instead).
     */
    public boolean loopConvergence;
    public int insnIdx, prevInsnIdx;
    public int idGen;
    public int insnProcessed, prevInsnProcessed;
    public int jmpsProcessed, prevJmpsProcessed;
    public int totalStates, peakStates, curStates, maxStatesPerInsn;
    /** Registers and stack slots of the current frame touched by the instruction (what the log prints after it). */
    public int scratchedRegs;
    public long scratchedSlots;

    /** Per instruction: the SDT probe whose NOP it is, or -1. */
    public final int[] probeAt;
    /** Per map: offset of its value's {@code struct bpf_spin_lock}, or -1. */
    private final int[] spinLocks;
    /** Values of read-only maps, whose loads are constants. */
    final ReadOnlyValues readOnlyValues;
    /** Names, global functions and their arguments, from BTF func_info. */
    public final Functions funcs;
    /** Per subprogram: a global function some verified path calls, and one verified on its own. */
    final boolean[] globalCalled, globalVerified;

    public Env(VerifierRequest req, ControlFlow cfg, VerifierLog log) {
        this.req = req;
        this.cfg = cfg;
        this.insns = cfg.insns();
        this.maps = req.maps();
        this.ctx = req.attachType() == AttachType.TRACE_SDT ? SdtRules.observerContext(req.attachBtf(), req.attachBtfId()) : req.context();
        this.progType = req.type();
        this.attachType = req.attachType();
        this.log = log;
        this.printer = new StatePrinter(maps);
        this.sdt = new SdtRules(req);
        this.aux = new InsnData[insns.length];
        for (int i = 0; i < aux.length; i++) {
            aux[i] = new InsnData();
        }
        this.subprogStack = new int[cfg.subprogCount()];
        this.spinLocks = maps.stream().mapToInt(MapFields::spinLockOffset).toArray();
        this.readOnlyValues = new ReadOnlyValues(maps);
        this.funcs = new Functions(req.btf(), req.funcInfo(), cfg, ctx.name());
        this.globalCalled = new boolean[cfg.subprogCount()];
        this.globalVerified = new boolean[cfg.subprogCount()];
        this.probeAt = new int[insns.length];
        java.util.Arrays.fill(probeAt, -1);
        for (int p = 0; p < req.sdtProbes().size(); p++) {
            int off = req.sdtProbes().get(p).origOff();
            if (off >= 0 && off < insns.length) {
                probeAt[off] = p;
            }
        }
        this.explored = new ArrayList<>(insns.length);
        for (int i = 0; i < insns.length; i++) {
            explored.add(null);
        }
    }

    public int spinLockOffset(int mapIndex) {
        return mapIndex >= 0 && mapIndex < spinLocks.length ? spinLocks[mapIndex] : -1;
    }

    public int newId() {
        return ++idGen;
    }

    public HelperProto helper(int id) {
        return req.helpers() == null ? null : req.helpers().apply(id);
    }

    public void scratchReg(int r) {
        scratchedRegs |= 1 << r;
    }

    public void scratchSlot(int spi) {
        if (spi >= 0 && spi < 64) {
            scratchedSlots |= 1L << spi;
        }
    }
}
