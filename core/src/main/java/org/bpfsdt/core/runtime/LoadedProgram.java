package org.bpfsdt.core.runtime;

import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.ProgramInfo;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.core.engine.Executable;
import org.bpfsdt.core.engine.ProgramEngine;
import org.bpfsdt.core.exec.NativeMemory;
import org.bpfsdt.core.interp.ExecState;

/**
 * A loaded program: what it was loaded with, what the verifier made of it, the references it
 * holds (its maps, its attach target, its SDT map), its native descriptor
 * ({@link RuntimeLinkage}), and its place in engine resolution. Freed when the last handle,
 * link or PROG_ARRAY slot lets go.
 */
final class LoadedProgram extends RuntimeObject {
    final CoreRuntime runtime;
    final ProgramType type;
    final AttachType attachType;
    final String name;
    final List<Insn> original;
    final Btf btf;
    final String tag;
    final VerifierResult verified;
    final List<LoadedMap> maps;
    final LoadedProgram attachTarget;
    final LoadedMap sdtMap;
    /** Address of the native program descriptor. */
    final long descriptor;
    private ProgramEngine engine;

    LoadedProgram(int id, CoreRuntime runtime, ProgramType type, AttachType attachType, String name, List<Insn> original,
                  Btf btf, String tag, VerifierResult verified, List<LoadedMap> maps, LoadedProgram attachTarget,
                  LoadedMap sdtMap, long descriptor) {
        super(id);
        this.runtime = runtime;
        this.type = type;
        this.attachType = attachType;
        this.name = name;
        this.original = original;
        this.btf = btf;
        this.tag = tag;
        this.verified = verified;
        this.maps = maps;
        this.attachTarget = attachTarget;
        this.sdtMap = sdtMap;
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

    /** Keeps the descriptor's native entry in step with the executable (tail calls from native code read it). */
    void installed(Executable ex) {
        NativeMemory.setVolatile64(descriptor + RuntimeLinkage.PROG_ENTRY, ex.entryAddress());
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
        maps.forEach(LoadedMap::release);
        if (attachTarget != null) {
            attachTarget.release();
        }
        if (sdtMap != null) {
            sdtMap.release();
        }
        runtime.grace().defer(() -> runtime.heap().free(descriptor, RuntimeLinkage.PROG_DESCRIPTOR_SIZE));
    }

    @Override
    public String toString() {
        return "program " + id + (name.isEmpty() ? "" : " (" + name + ")");
    }
}
