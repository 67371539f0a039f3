package org.bpfsdt.core.runtime;

import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.InsnArrayBackend;
import org.bpfsdt.api.spi.SdtProbeInfo;
import org.bpfsdt.core.engine.Executable;

/**
 * The SDT parts of {@code BPF_PROG_LOAD}: a target's SDT map taken and bound, and for an
 * observer the seed's search for its probe in the target.
 */
final class SdtLoad {
    private SdtLoad() {
    }

    /** Whether an INSN_ARRAY map holds SDT probes. */
    static boolean isSdtMap(LoadedMap m) {
        return m.spec.type() == MapType.INSN_ARRAY && (m.spec.flags() & MapFlags.INSN_ARRAY_SDT) != 0;
    }

    /**
     * The probes of a target's {@code sdtMap} ({@code sdt_map_fd}), bound to the program being
     * loaded ({@code bpf_insn_array_init}): {@code EINVAL} unless it is a frozen INSN_ARRAY map with
     * the SDT flag whose entries are uniquely named {@code goto +0} NOPs of {@code insns};
     * {@code EBUSY} when another program holds it. The caller releases it if the load fails.
     */
    static InsnArrayBackend bind(LoadedMap sdtMap, List<Insn> insns) {
        if (!isSdtMap(sdtMap) || !(sdtMap.backend instanceof InsnArrayBackend backend)) {
            throw new BpfException(Errno.EINVAL, sdtMap + " cannot be a program's SDT map: it must be an INSN_ARRAY map with "
                    + "the SDT flag (MapFlags.INSN_ARRAY_SDT)");
        }
        backend.bind(insns);
        return backend;
    }

    /** SDT maps are passed as the program's SDT map, where their probes get sites, never in its map array. */
    static void refuseInMapArray(List<LoadedMap> maps) {
        for (LoadedMap m : maps) {
            if (isSdtMap(m)) {
                throw new BpfException(Errno.EINVAL, m + " holds SDT probes: pass it as the program's SDT map (sdtMap), "
                        + "not in its map array");
            }
        }
    }

    /**
     * The observer half of the seed's {@code bpf_prog_load}: {@code EOPNOTSUPP} when the engine
     * running {@code target} has no SDT probe sites, then the seed's
     * {@code bpf_insn_array_get_sdt_probe_by_name}, skipping deleted entries: the probe found, or
     * {@code EEXIST}. The seed searches every INSN_ARRAY map the target uses; here the one with the
     * SDT flag is its SDT map, since {@link #refuseInMapArray} keeps them out of its map array.
     */
    static SdtProbeInfo observedProbe(LoadedProgram target, String name) {
        Executable ex = target.latest();
        if (!supportsSdt(ex)) {
            throw new BpfException(Errno.EOPNOTSUPP, target + " runs on the " + ex.engineName()
                    + " JIT, which does not support SDT probes (bpf.jit.sdt.probe=false); load the target on an engine that does");
        }
        if (target.sdtProbes == null) {
            throw new BpfException(Errno.EEXIST, target + " has no SDT probe named '" + name + "' (it has no SDT map)");
        }
        return target.sdtProbes.probeByName(name).orElseThrow(() -> new BpfException(Errno.EEXIST,
                target + " has no SDT probe named '" + name + "' (probes: " + names(target) + ")"));
    }

    /** The interpreter dispatches at every NOP; a JIT says whether it patches them. */
    static boolean supportsSdt(Executable ex) {
        return ex.service() == null || ex.service().sdtProbes();
    }

    private static String names(LoadedProgram target) {
        return String.join(", ", target.sdtProbes.probes().stream().filter(p -> p.xlatedOff() >= 0).map(p -> p.name()).toList());
    }

    /** The index of probe {@code name} in {@code target}'s SDT map, or -1. */
    static int indexOf(LoadedProgram target, String name) {
        if (target.sdtProbes == null) {
            return -1;
        }
        var probes = target.sdtProbes.probes();
        for (int i = 0; i < probes.size(); i++) {
            if (probes.get(i).xlatedOff() >= 0 && probes.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
