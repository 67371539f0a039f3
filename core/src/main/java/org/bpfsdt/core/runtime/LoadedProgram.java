package org.bpfsdt.core.runtime;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.ProgramInfo;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.LineInfo;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.ListingNotes;
import org.bpfsdt.api.isa.ObjdumpFormatter;
import org.bpfsdt.api.spi.InsnArrayBackend;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.api.spi.SdtProbeInfo;
import org.bpfsdt.api.spi.Subprog;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.core.engine.Executable;
import org.bpfsdt.core.engine.Jitted;
import org.bpfsdt.core.engine.ProgramEngine;
import org.bpfsdt.core.exec.NativeMemory;
import org.bpfsdt.core.interp.ExecState;

/**
 * A loaded program: what it was loaded with, what the verifier made of it, the references it
 * holds (its maps, its attach target, its SDT map), its native descriptor
 * ({@link RuntimeLinkage}), and its place in engine resolution. Freed when the last handle,
 * link or PROG_ARRAY slot lets go.
 *
 * <p>SDT: a target keeps its bound INSN_ARRAY map ({@link #sdtProbes}); an observer keeps the
 * probe its load found ({@link #observedProbe}, the seed's {@code prog->aux->sdt_probe}), whose
 * FUNC_PROTO is its {@link #attachBtfId}. Links listen for engine changes to re-attach.
 */
final class LoadedProgram extends RuntimeObject {
    private static final System.Logger LOG = System.getLogger(LoadedProgram.class.getName());

    final CoreRuntime runtime;
    final ProgramType type;
    final AttachType attachType;
    final String name;
    final List<Insn> original;
    final Btf btf;
    /** BTF.ext line_info as loaded (by loaded slot). */
    final List<LineInfo> lineInfo;
    final String tag;
    final VerifierResult verified;
    final List<LoadedMap> maps;
    final LoadedProgram attachTarget;
    final LoadedMap sdtMap;
    /** The SDT map's entries, bound to this program; {@code null} without an SDT map. */
    final InsnArrayBackend sdtProbes;
    /** For an SDT observer: its probe in {@link #attachTarget}, else {@code null}. */
    final SdtProbeInfo observedProbe;
    /** The BTF id of what it attaches to (for an observer: its probe's FUNC_PROTO in the target's BTF). */
    final int attachBtfId;
    /** Address of the native program descriptor. */
    final long descriptor;
    private final List<Runnable> engineListeners = new CopyOnWriteArrayList<>();
    private ProgramEngine engine;
    /** The executable installed last: during a swap, the one about to run (listeners attach to it). */
    private volatile Executable latest;
    /** An upcall that runs this program, for native callers when it has no native code of its own. */
    private Arena upcallArena;
    private long upcallEntry;

    LoadedProgram(int id, CoreRuntime runtime, ProgramType type, AttachType attachType, String name, List<Insn> original,
                  Btf btf, List<LineInfo> lineInfo, String tag, VerifierResult verified, List<LoadedMap> maps, LoadedProgram attachTarget,
                  LoadedMap sdtMap, InsnArrayBackend sdtProbes, SdtProbeInfo observedProbe, int attachBtfId, long descriptor) {
        super(id);
        this.runtime = runtime;
        this.type = type;
        this.attachType = attachType;
        this.name = name;
        this.original = original;
        this.btf = btf;
        this.lineInfo = lineInfo;
        this.tag = tag;
        this.verified = verified;
        this.maps = maps;
        this.attachTarget = attachTarget;
        this.sdtMap = sdtMap;
        this.sdtProbes = sdtProbes;
        this.observedProbe = observedProbe;
        this.attachBtfId = attachBtfId;
        this.descriptor = descriptor;
        NativeMemory.put32(descriptor + RuntimeLinkage.PROG_ID, id);
        NativeMemory.put32(descriptor + RuntimeLinkage.PROG_TYPE, type.kernelId());
    }

    void engine(ProgramEngine pe) {
        this.engine = pe;
    }

    ProgramEngine engine() {
        return engine;
    }

    /** The executable that runs it, or during an engine change the one that is about to. */
    Executable latest() {
        return latest;
    }

    /**
     * A new executable is about to run the program: the descriptor's native entry (tail calls from
     * native code), the SDT map's native offsets and addresses (those of the new image, or none on
     * the interpreter, so no stale address outlives its code), and then the engine listeners (SDT
     * links re-attaching their trampolines), all before any run can enter it.
     */
    void installed(Executable ex) {
        latest = ex;
        NativeMemory.setVolatile64(descriptor + RuntimeLinkage.PROG_ENTRY, ex.entryAddress());
        if (sdtProbes != null) {
            if (ex instanceof Jitted j) {
                sdtProbes.recordJitted(j.image().slotOffsets(), j.image().address());
            } else {
                sdtProbes.recordJitted(new int[verified.insns().size()], 0);
            }
        }
        for (Runnable l : engineListeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> this + " moved to " + ex.engineName() + ", but a listener failed: " + e, e);
            }
        }
    }

    /** Calls {@code listener} at every engine change from now on (see {@link #installed}); the result stops it. */
    org.bpfsdt.api.spi.ProgramRef.Subscription onEngineChange(Runnable listener) {
        engineListeners.add(listener);
        return () -> engineListeners.remove(listener);
    }

    /**
     * A native function {@code long f(long ctx)} that runs this program: its own code's entry when
     * it has native code for this host, else a stub that runs it on its engine (an observer the
     * interpreter runs, called from a JIT trampoline).
     */
    synchronized long nativeEntry() {
        long own = latest.entryAddress();
        if (own != 0) {
            // native code of a JIT that runs here (engine resolution compiles for no other host)
            return own;
        }
        if (upcallEntry == 0) {
            upcallArena = Arena.ofShared();
            upcallEntry = runtime.linkage().programEntry(this, upcallArena);
        }
        return upcallEntry;
    }

    /** Runs once on the calling thread, inside a grace-period read section. */
    long run(long ctx) {
        ExecState st = runtime.state();
        runtime.grace().enter(st);
        try {
            return engine.run(st, ctx);
        } finally {
            runtime.grace().exit(st);
        }
    }

    /** {@code bpftool prog dump xlated}: the xlated instructions with function labels and source lines. */
    String xlatedListing() {
        return ObjdumpFormatter.format(verified.insns(), ListingNotes.of(functions(), xlatedLineInfo()));
    }

    /** {@code bpftool prog dump jited}: the native code beside the xlated instructions and source lines; empty when interpreted. */
    String jitedListing() {
        // the image labels its functions itself
        return engine.current() instanceof Jitted j ? j.image().listing(verified.insns(), ListingNotes.sourceLines(xlatedLineInfo())) : "";
    }

    /** Where each function of the xlated program starts, with its BTF name (the main one's is the program's when BTF has none). */
    private Map<Integer, String> functions() {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (Subprog s : verified.subprogs()) {
            out.put(s.start(), s.start() == 0 && s.name().isEmpty() ? name : s.name());
        }
        return out;
    }

    /** The line_info moved to xlated slots, as {@code bpf_prog_info} reports it. */
    List<LineInfo> xlatedLineInfo() {
        return xlated(lineInfo, verified.origToXlated());
    }

    /**
     * {@code lines} (by loaded slot) at the xlated slots of {@code origToXlated}: a line whose first
     * instruction the verifier removed moves to the next one left, as the kernel's
     * {@code bpf_adj_linfo_after_remove} does; a line none of whose code is left goes.
     */
    static List<LineInfo> xlated(List<LineInfo> lines, int[] origToXlated) {
        List<LineInfo> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.comparingInt(LineInfo::insnOff));
        List<LineInfo> out = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            LineInfo li = sorted.get(i);
            int end = i + 1 < sorted.size() ? Math.min(sorted.get(i + 1).insnOff(), origToXlated.length) : origToXlated.length;
            for (int orig = Math.max(li.insnOff(), 0); orig < end; orig++) {
                if (origToXlated[orig] >= 0) {
                    out.add(li.at(origToXlated[orig]));
                    break;
                }
            }
        }
        return out;
    }

    ProgramInfo info() {
        Executable ex = engine.current();
        int[] mapIds = maps.stream().mapToInt(m -> m.id).toArray();
        return new ProgramInfo(id, type, attachType, name, tag, original.size(), verified.insns().size(), ex.engineName(),
                ex.codeSize(), mapIds, verified.processedInsns());
    }

    @Override
    protected void free() {
        runtime.programs.remove(id, this);
        runtime.engineResolution().detach(engine);
        engineListeners.clear();
        maps.forEach(LoadedMap::release);
        if (attachTarget != null) {
            attachTarget.release();
        }
        if (sdtProbes != null) {
            sdtProbes.release();
        }
        if (sdtMap != null) {
            sdtMap.release();
        }
        Arena upcalls;
        synchronized (this) {
            upcalls = upcallArena;
        }
        runtime.grace().defer(() -> {
            runtime.heap().free(descriptor);
            if (upcalls != null) {
                upcalls.close();
            }
        });
    }

    @Override
    public String toString() {
        return "program " + id + (name.isEmpty() ? "" : " (" + name + ")");
    }
}
