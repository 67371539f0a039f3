package org.bpfsdt.api;

import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.isa.Insn;

/**
 * The runtime: what the {@code bpf()} syscall is to the kernel. It creates maps, loads
 * (verifies and compiles) programs, creates links, runs programs, and hands out objects by id.
 * One runtime owns its objects, its helper table and its engines; closing it frees them all.
 */
public interface BpfRuntime extends AutoCloseable {

    /** {@code BPF_MAP_CREATE}. */
    BpfMap mapCreate(MapSpec spec);

    /** {@code BPF_PROG_LOAD}: verifies the program, picks an engine and prepares it to run. */
    BpfProgram progLoad(ProgSpec spec);

    /** {@code BPF_LINK_CREATE}. */
    BpfLink linkCreate(LinkSpec spec);

    /** A new handle on the live program with this id ({@code BPF_PROG_GET_FD_BY_ID}). */
    Optional<BpfProgram> progGetById(int id);

    /** A new handle on the live map with this id. */
    Optional<BpfMap> mapGetById(int id);

    /** A new handle on the live link with this id. */
    Optional<BpfLink> linkGetById(int id);

    /** What is loaded now, by id. */
    List<ProgramInfo> programs();

    List<MapInfo> maps();

    List<LinkInfo> links();

    /** Output of {@code bpf_trace_printk}, like the kernel's trace pipe. */
    TracePipe tracePipe();

    /** The engines this runtime can run programs on now, best first for this host. */
    List<EngineInfo> engines();

    /**
     * Runs {@code insns} without verification on the named engine with {@code mem} as the
     * program's memory (r1 = its address, r2 = its length; r1 = 0 when empty), as the
     * conformance suite does. <strong>Unverified</strong>: a wrong program may read or write
     * any address of the process; only for trusted test programs. Structural checks
     * (opcodes, registers, jump targets) still apply.
     */
    RawRunResult runUnverified(List<Insn> insns, byte[] mem, RawRunOptions options);

    @Override
    void close();
}
