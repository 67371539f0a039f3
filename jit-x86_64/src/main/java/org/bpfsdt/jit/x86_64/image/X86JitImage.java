package org.bpfsdt.jit.x86_64.image;

import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitListing;
import org.bpfsdt.api.spi.ProbeSite;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.Trampoline;
import org.bpfsdt.jit.x86_64.codegen.NativeCode;
import org.bpfsdt.jit.x86_64.memory.CodeBlock;

/**
 * A compiled program: its code mapped executable (or, on another host, just its bytes), entry
 * handles, and its SDT probe sites, which {@link #attachProbe} turns into calls while other
 * threads run the code.
 */
public final class X86JitImage implements JitImage {
    public static final String ARCH = "x86_64";

    private final NativeCode code;
    private final CodeBlock block;
    private final List<ProbeSite> sites;
    private final ProbePatcher patcher;
    private volatile MethodHandle entry;
    private volatile MethodHandle batchEntry;
    private volatile MethodHandle rawEntry;
    private volatile boolean closed;

    /** {@code block} is null for an image that does not run on this host. */
    public X86JitImage(NativeCode code, List<SdtProbe> probes, CodeBlock block) {
        this.code = code;
        this.block = block;
        List<ProbeSite> s = new ArrayList<>(probes.size());
        for (int i = 0; i < probes.size(); i++) {
            int off = code.probeOffsets()[i];
            s.add(new ProbeSite(probes.get(i), off, block == null || off < 0 ? 0 : block.address() + off));
        }
        this.sites = List.copyOf(s);
        this.patcher = block != null && block.patchable() ? new ProbePatcher(block, code) : null;
    }

    @Override
    public String architecture() {
        return ARCH;
    }

    @Override
    public byte[] code() {
        return code.code().clone();
    }

    @Override
    public int[] slotOffsets() {
        return code.slotOffsets().clone();
    }

    /** The generated code and where everything is in it. */
    public NativeCode nativeCode() {
        return code;
    }

    @Override
    public long address() {
        return block == null ? 0 : block.address();
    }

    @Override
    public MethodHandle entry() {
        MethodHandle h = entry;
        if (h == null) {
            h = EntryPoints.single(runnable(), code.mayUpcall());
            entry = h;
        }
        return h;
    }

    /** {@code (long r1, long r2) -> long r0}: the entry with r2 passed through, for raw runs. */
    @Override
    public MethodHandle rawEntry() {
        MethodHandle h = rawEntry;
        if (h == null) {
            h = EntryPoints.twoLongs(runnable());
            rawEntry = h;
        }
        return h;
    }

    @Override
    public MethodHandle batchEntry() {
        MethodHandle h = batchEntry;
        if (h == null) {
            h = EntryPoints.twoLongs(runnable() + code.batchOffset());
            batchEntry = h;
        }
        return h;
    }

    @Override
    public long entryAddress() {
        return address();
    }

    private long runnable() {
        if (block == null) {
            throw new BpfException(Errno.ENOTSUPP, "x86_64 code does not run on this host (" + System.getProperty("os.arch") + ")");
        }
        if (closed) {
            throw new IllegalStateException("the image is closed");
        }
        return block.address();
    }

    @Override
    public List<ProbeSite> probeSites() {
        return sites;
    }

    @Override
    public void attachProbe(int index, Trampoline trampoline) {
        ProbePatcher p = patcher(index);
        // a trampoline of this JIT has an entry for each stack alignment; any other function is entered as it is
        long target = trampoline instanceof X86Trampoline t ? t.entry(code.probeStackAligned()[index]) : trampoline.address();
        p.attach(index, target);
    }

    @Override
    public void detachProbe(int index) {
        patcher(index).detach(index);
    }

    private ProbePatcher patcher(int index) {
        if (index < 0 || index >= sites.size()) {
            throw new BpfException(Errno.ENOENT, "probe index " + index + " is not one of this image's " + sites.size() + " probes");
        }
        if (sites.get(index).nativeOffset() < 0) {
            throw new BpfException(Errno.ENOENT, "probe '" + sites.get(index).probe().name() + "' has no site: the verifier removed its instruction");
        }
        if (patcher == null || closed) {
            throw new BpfException(Errno.ENOTSUPP, "this image's code cannot be patched (not mapped on this host, or closed)");
        }
        return patcher;
    }

    /** The listing with this image's parts labelled: entries, functions, stubs, thunks and data. */
    @Override
    public String listing(List<Insn> xlated, IntFunction<String> annotation) {
        List<JitListing.Region> regions = new ArrayList<>();
        regions.add(new JitListing.Region(0, "entry", false));
        int[] functions = code.functionOffsets();
        for (int f = 0; f < functions.length; f++) {
            String name = code.functionNames().get(f);
            regions.add(new JitListing.Region(functions[f], name.isEmpty() ? (f == 0 ? "main" : "function " + f) : name, false));
        }
        regions.add(new JitListing.Region(code.batchOffset(), "batch entry", false));
        if (code.bpfLoopOffset() >= 0) {
            regions.add(new JitListing.Region(code.bpfLoopOffset(), "bpf_loop", false));
        }
        for (int i = 0; i < sites.size(); i++) {
            if (code.probeThunkOffsets()[i] >= 0) {
                regions.add(new JitListing.Region(code.probeThunkOffsets()[i], "thunk of probe " + sites.get(i).probe().name(), false));
            }
        }
        if (code.dataOffset() < code.code().length) {
            regions.add(new JitListing.Region(code.dataOffset(), "data", true));
        }
        return JitListing.format(this, xlated, annotation, regions);
    }

    @Override
    public void close() {
        closed = true;
        if (block != null) {
            block.close();
        }
    }
}
