package org.bpfsdt.jit.x86_64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.Trampoline;
import org.bpfsdt.jit.x86_64.codegen.CodeGenerator;
import org.bpfsdt.jit.x86_64.codegen.CpuFeatures;
import org.bpfsdt.jit.x86_64.codegen.NativeCode;
import org.bpfsdt.jit.x86_64.codegen.ProgramPlan;
import org.bpfsdt.jit.x86_64.codegen.TrampolineGenerator;
import org.bpfsdt.jit.x86_64.image.EntryPoints;
import org.bpfsdt.jit.x86_64.image.X86JitImage;
import org.bpfsdt.jit.x86_64.image.X86Trampoline;
import org.bpfsdt.jit.x86_64.memory.CodeSpace;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The x86-64 JIT service. Each instance owns the address range its code is mapped in; code
 * stays mapped until its image or trampoline is closed, even after the service stops.
 */
@Component(service = JitCompiler.class, property = {
    JitCompiler.PROP_ARCH + "=" + X86JitImage.ARCH,
    "service.ranking:Integer=100",
    JitCompiler.PROP_SDT_PROBE + ":Boolean=true",
})
public final class X86JitCompiler implements JitCompiler {
    /** How every image of this JIT begins: what a trampoline recognises to call an observer's main function directly. */
    private static final byte[] ENTRY_STUB = CodeGenerator.entryStub();
    /** Whether this process runs on x86-64 Linux, where the code is mapped and run. */
    private static final boolean ON_HOST = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
            && List.of("amd64", "x86_64").contains(System.getProperty("os.arch", "").toLowerCase(Locale.ROOT));

    private final CpuFeatures cpu;
    private final CodeSpace space = new CodeSpace();
    private volatile boolean sdtProbes;

    /** The service as {@link java.util.ServiceLoader} and the component runtime create it. */
    public X86JitCompiler() {
        this(CpuFeatures.ofHost(), true);
    }

    /** A compiler for processors with {@code cpu}, offering SDT probes or not. */
    public X86JitCompiler(CpuFeatures cpu, boolean sdtProbes) {
        this.cpu = cpu;
        this.sdtProbes = sdtProbes;
    }

    @Activate
    void activate(Map<String, Object> properties) {
        sdtProbes = Boolean.TRUE.equals(properties.get(PROP_SDT_PROBE));
    }

    @Deactivate
    void deactivate() {
        space.close();
    }

    @Override
    public String architecture() {
        return X86JitImage.ARCH;
    }

    @Override
    public boolean supportsSdtProbes() {
        return sdtProbes;
    }

    @Override
    public boolean runsOnHost() {
        return ON_HOST;
    }

    @Override
    public JitImage compile(JitRequest request) {
        NativeCode code = generate(request);
        if (!runsOnHost()) {
            return new X86JitImage(code, request.probes(), null);
        }
        boolean patchable = Arrays.stream(code.probeOffsets()).anyMatch(off -> off >= 0);
        return new X86JitImage(code, request.probes(), space.map(code.code(), patchable));
    }

    /** The code for {@code request}, checked and generated but not mapped. */
    public NativeCode generate(JitRequest request) {
        return CodeGenerator.generate(ProgramPlan.of(request), cpu);
    }

    @Override
    public Trampoline createTrampoline(FuncModel model, long[] observerEntries) {
        if (!sdtProbes) {
            throw new BpfException(Errno.ENOTSUPP, "this x86_64 JIT service is configured without SDT probes");
        }
        if (!runsOnHost()) {
            throw new BpfException(Errno.ENOTSUPP, "x86_64 trampolines run only on an x86_64 Linux host");
        }
        List<TrampolineGenerator.ObserverCall> calls = new ArrayList<>();
        for (long entry : observerEntries) {
            if (entry == 0) {
                throw BpfException.einval("an observer entry is 0: every observer needs native code to call");
            }
            // only code this compiler mapped is read: an arbitrary entry may sit at the end of its mapping
            boolean ours = space.isBlockStart(entry) && Arrays.equals(EntryPoints.codeAt(entry, ENTRY_STUB.length), ENTRY_STUB);
            calls.add(new TrampolineGenerator.ObserverCall(ours ? entry + NativeCode.BODY_OFFSET : entry, ours));
        }
        TrampolineGenerator.Code code = TrampolineGenerator.generate(model, calls);
        return new X86Trampoline(space.map(code.bytes(), false), code.bytes(), code.unalignedEntry());
    }

    /** Code blocks (images and trampolines) this compiler has mapped and not yet seen closed. */
    public int liveCodeBlocks() {
        return space.liveBlocks();
    }
}
