package org.bpfsdt.core.runtime;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.InsnValidator;
import org.bpfsdt.api.spi.ContextLayout;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.api.spi.InsnArrayBackend;
import org.bpfsdt.api.spi.InsnAux;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.SdtProbeInfo;
import org.bpfsdt.api.spi.Subprog;
import org.bpfsdt.api.spi.Verifier;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.core.engine.ProgramCode;
import org.bpfsdt.core.engine.ProgramEngine;
import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.HelperTable;

/**
 * {@code BPF_PROG_LOAD}: structural checks, references on the maps and programs the spec names,
 * the verifier, engine selection, the native descriptor, the program's id. Every step that takes
 * something gives it back if a later step fails, so a failed load leaves the runtime as it was.
 */
final class ProgramLoader {
    /** Licenses the kernel treats as GPL-compatible ({@code license_is_gpl_compatible}). */
    private static final Set<String> GPL = Set.of("GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
            "Dual MIT/GPL", "Dual MPL/GPL");

    private final CoreRuntime rt;

    ProgramLoader(CoreRuntime rt) {
        this.rt = rt;
    }

    LoadedProgram load(ProgSpec spec) {
        if (spec.name().length() > ProgSpec.MAX_NAME_LEN) {
            throw new BpfException(Errno.EINVAL, "program name '" + spec.name() + "' is longer than " + ProgSpec.MAX_NAME_LEN + " characters");
        }
        InsnValidator.validate(spec.insns());
        var offered = rt.helpers().protosFor(spec.type());
        checkHelpers(spec, offered);
        Verifier verifier = rt.verifier().orElseThrow(() -> new BpfException(Errno.EOPNOTSUPP,
                "no verifier service is present, and programs are loaded only once verified (install the verifier bundle); nothing was loaded"));
        List<LoadedMap> maps = new ArrayList<>();
        LoadedProgram target = null;
        LoadedMap sdtMap = null;
        InsnArrayBackend sdtProbes = null;
        long descriptor = 0;
        try {
            for (var m : spec.maps()) {
                maps.add(rt.acquire(m));
            }
            List<Insn> insns = mapIdsToIndexes(spec.insns(), maps);
            for (LoadedMap m : maps) {
                if (m.backend instanceof org.bpfsdt.api.spi.ProgArrayBackend pa && !pa.compatible(spec.type())) {
                    throw new BpfException(Errno.EINVAL, m + " holds programs of another type; a " + spec.type() + " program cannot use it");
                }
            }
            SdtLoad.refuseInMapArray(maps);
            SdtProbeInfo observed = null;
            if (spec.expectedAttachType() == AttachType.TRACE_SDT) {
                // the seed's SDT branch: find the probe at load time, so the verifier can type the context from it
                if (spec.attachProgram() == null) {
                    throw new BpfException(Errno.EINVAL, "an SDT observer (TRACE_SDT) is loaded against a target program: "
                            + "give it with attachProgram (sdt.target_prog_fd)");
                }
                target = rt.acquire(spec.attachProgram());
                observed = SdtLoad.observedProbe(target, spec.sdtProbeName());
                if (spec.type() != ProgramType.TRACING) {
                    throw new BpfException(Errno.EINVAL, "an SDT observer is a TRACING program, not " + spec.type());
                }
            } else if (spec.attachProgram() != null) {
                target = rt.acquire(spec.attachProgram());
            }
            if (spec.sdtMap() != null) {
                sdtMap = rt.acquire(spec.sdtMap());
                sdtProbes = SdtLoad.bind(sdtMap, insns);
            }
            int attachBtfId = observed != null ? observed.probe().btfId() : spec.attachBtfId();
            // an observer's context is its probe's arguments, no more
            ContextLayout context = ContextLayouts.forType(spec.type(), observed != null ? observed.probe().nrArgs() : FuncModel.MAX_REG_ARGS);
            List<org.bpfsdt.api.spi.MapDescriptor> descriptors = maps.stream().map(LoadedMap::descriptor).toList();
            VerifierRequest request = new VerifierRequest(spec.type(), spec.expectedAttachType(), insns,
                    descriptors, spec.btf(), spec.funcInfo(), spec.lineInfo(),
                    offered, context, target == null ? null : target.btf, attachBtfId,
                    sdtProbes == null ? List.of() : sdtProbes.probes(), GPL.contains(spec.license()), spec.logLevel());
            VerifierResult result = verifier.verify(request);
            if (result == null) {
                throw new BpfException(Errno.EINVAL, "the verifier returned no result");
            }
            List<SdtProbe> sites = List.of();
            if (sdtProbes != null) {
                sdtProbes.applyXlation(result.origToXlated());
                sites = sdtProbes.probes();
            }
            descriptor = rt.heap().allocate(org.bpfsdt.api.spi.RuntimeLinkage.PROG_DESCRIPTOR_SIZE, "a program descriptor");
            boolean needsSdt = !sites.isEmpty() || observed != null;
            int[] siteSlots = sites.stream().mapToInt(SdtProbe::xlatedOff).toArray();
            String tag = tag(spec.insns());
            List<LoadedMap> held = List.copyOf(maps);
            LoadedProgram attach = target;
            LoadedMap sdt = sdtMap;
            InsnArrayBackend probes = sdtProbes;
            SdtProbeInfo probe = observed;
            List<SdtProbe> jitProbes = sites;
            long desc = descriptor;
            HelperTable helpers = rt.helpers();
            int id = rt.register(i -> {
                LoadedProgram p = new LoadedProgram(i, rt, spec.type(), spec.expectedAttachType(), spec.name(), spec.insns(),
                        spec.btf(), spec.lineInfo(), tag, result, held, attach, sdt, probes, probe, attachBtfId, desc);
                JitRequest jr = new JitRequest(spec.name(), spec.type(), result.insns(), result.aux(), result.subprogs(),
                        rt.linkage()::helperAddress, jitProbes, rt.linkage(), descriptors);
                ProgramCode code = new ProgramCode(i, jr, needsSdt,
                        ProgramCode.once(() -> DecodedProgram.decode(result.insns(), helpers, false, i, spec.name(), siteSlots)),
                        helpers.implementations());
                ProgramEngine pe = rt.engineResolution().attach(code, spec.engine(), p::installed);
                p.engine(pe);
                return p;
            });
            return rt.programs.get(id);
        } catch (RuntimeException | Error e) {
            // the seed's put_sdt path: everything taken above goes back
            maps.forEach(LoadedMap::release);
            if (target != null) {
                target.release();
            }
            if (sdtProbes != null) {
                sdtProbes.release();
            }
            if (sdtMap != null) {
                sdtMap.release();
            }
            rt.heap().free(descriptor);
            throw e;
        }
    }

    /**
     * Refuses a program that calls a helper this runtime does not offer, naming the first such
     * call with the helper's number and name, before anything is taken (the kernel's
     * {@code invalid func} at load).
     */
    private void checkHelpers(ProgSpec spec, java.util.function.IntFunction<org.bpfsdt.api.spi.HelperProto> offered) {
        List<Insn> insns = spec.insns();
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn insn = insns.get(pc);
            if (insn.isLddw()) {
                pc++;
            } else if (insn.opcode() == CALL_OP && insn.src() == CALL_HELPER && offered.apply(insn.imm()) == null) {
                String who = "program " + (spec.name().isEmpty() ? "" : spec.name() + " ") + "insn " + pc + " calls "
                        + HelperId.describe(insn.imm() & 0xffffffffL);
                throw new BpfException(Errno.EINVAL, rt.helpers().proto(insn.imm()) == null
                        ? who + ", which this runtime does not offer"
                        : who + ", which " + spec.type() + " programs may not call");
            }
        }
    }

    /**
     * The program with map loads by id ({@code BPF_PSEUDO_MAP_FD}/{@code _VALUE}, imm = map id)
     * turned into loads by index ({@code _IDX}/{@code _IDX_VALUE}) into {@code maps}, adding (and
     * referencing) the maps named by id, as the verifier takes them.
     */
    private List<Insn> mapIdsToIndexes(List<Insn> insns, List<LoadedMap> maps) {
        List<Insn> out = new ArrayList<>(insns);
        for (int pc = 0; pc < out.size(); pc++) {
            Insn insn = out.get(pc);
            if (!insn.isLddw()) {
                continue;
            }
            int src = insn.src();
            if (src == PSEUDO_MAP_FD || src == PSEUDO_MAP_VALUE) {
                int index = indexOf(maps, insn.imm());
                if (index < 0) {
                    try {
                        maps.add(rt.acquireMap(insn.imm()));
                    } catch (BpfException e) {
                        throw new BpfException(Errno.EBADF, "insn " + pc + " (" + insn + "): " + e.reason());
                    }
                    index = maps.size() - 1;
                }
                out.set(pc, new Insn(LDDW, insn.dst(), src == PSEUDO_MAP_FD ? PSEUDO_MAP_IDX : PSEUDO_MAP_IDX_VALUE, 0, index));
            } else if ((src == PSEUDO_MAP_IDX || src == PSEUDO_MAP_IDX_VALUE) && (insn.imm() < 0 || insn.imm() >= maps.size())) {
                throw new BpfException(Errno.EINVAL, "insn " + pc + " (" + insn + "): map index " + insn.imm()
                        + " is outside the program's " + maps.size() + " maps");
            }
            pc++;
        }
        return out;
    }

    private static int indexOf(List<LoadedMap> maps, int id) {
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).id == id) {
                return i;
            }
        }
        return -1;
    }

    /** The kernel's program tag: the first 8 bytes of the SHA-1 of the instructions, map handles zeroed. */
    static String tag(List<Insn> insns) {
        ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < insns.size(); i++) {
            Insn insn = insns.get(i);
            boolean mapLoad = insn.isLddw() && insn.src() != PSEUDO_NONE && insn.src() != PSEUDO_FUNC;
            b.putLong((mapLoad ? insn.withImm(0) : insn).encode());
            if (mapLoad && i + 1 < insns.size()) {
                b.putLong(insns.get(++i).withImm(0).encode());
            }
        }
        try {
            byte[] sha = MessageDigest.getInstance("SHA-1").digest(b.array());
            return HexFormat.of().formatHex(sha, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    /** The program of a raw run as a JIT compiles it: one subprogram per local-call target ({@link Subprog#ofUnverified}), no verifier facts. */
    ProgramCode rawCode(List<Insn> insns, HelperTable helpers) {
        List<InsnAux> aux = new ArrayList<>(insns.size());
        for (int i = 0; i < insns.size(); i++) {
            aux.add(InsnAux.plain(i));
        }
        JitRequest request = new JitRequest("raw", org.bpfsdt.api.ProgramType.UNSPEC, insns, aux, Subprog.ofUnverified(insns),
                rt.linkage()::helperAddress, List.of(), rt.linkage());
        return new ProgramCode(0, request, false,
                ProgramCode.once(() -> DecodedProgram.decode(insns, helpers, false, 0, "raw")), helpers.implementations());
    }
}
