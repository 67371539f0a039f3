package org.bpfsdt.links;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfBuilder;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.InsnArrayValue;

/**
 * Small SDT programs written in assembly, for tests of links alone: a tracing target whose probe
 * {@code probe} passes the u64 of its test-run context, and observers that record what they see
 * in a map. (The C scenarios of the RFC's selftests are in {@link SdtScenariosTest}.)
 */
final class ProbePrograms {
    /** void (unsigned long long): the probe's FUNC_PROTO. */
    static final Btf BTF;
    static final int PROTO;
    static final int SITE = 2;

    static {
        BtfBuilder b = new BtfBuilder();
        int u64 = b.integer("unsigned long long", 8, false);
        PROTO = b.add(new BtfType.FuncProto(0, List.of(new BtfType.Param("", u64))));
        BTF = b.build();
    }

    private ProbePrograms() {
    }

    /** A target with one probe named {@code probe}; returns its test-run argument plus one. */
    static BpfProgram target(BpfRuntime rt, String probe, String engine) {
        List<Insn> insns = Assembler.assemble("""
                ldxdw %r6, [%r1+0]
                mov %r2, %r6
                ja +0
                mov %r0, %r6
                add %r0, 1
                exit
                """);
        BpfMap sdt = rt.mapCreate(MapSpec.of(MapType.INSN_ARRAY, 4, InsnArrayValue.SDT_SIZE, 1).withFlags(MapFlags.INSN_ARRAY_SDT));
        try {
            sdt.update(new byte[4], InsnArrayValue.probe(SITE, probe, PROTO, 2).encode(true), MapFlags.ANY);
            sdt.freeze();
            return rt.progLoad(ProgSpec.builder(ProgramType.TRACING, insns).name("target").btf(BTF).sdtMap(sdt).license("GPL")
                    .engine(engine).build());
        } finally {
            sdt.close();
        }
    }

    /** A map of one 64-byte value the observers write: word 0 counts calls; observer {@code slot} writes (argument, call number) at words 1 + 2 slot. */
    static BpfMap record(BpfRuntime rt) {
        return rt.mapCreate(MapSpec.of(MapType.ARRAY, 4, 64, 1).withName("record"));
    }

    /** An observer of {@code probe} of {@code target} that records into {@code record} at {@code slot}. */
    static BpfProgram observer(BpfRuntime rt, BpfProgram target, String probe, BpfMap record, int slot, String engine) {
        List<Insn> insns = new ArrayList<>(List.of(Insn.lddw(2, Opcodes.PSEUDO_MAP_IDX_VALUE, 0)));
        insns.addAll(Assembler.assemble("""
                ldxdw %r3, [%r1+0]
                stxdw [%r2+""" + (8 + 16 * slot) + """
                ], %r3
                mov %r3, 1
                lock fetch add [%r2+0], %r3
                add %r3, 1
                stxdw [%r2+""" + (16 + 16 * slot) + """
                ], %r3
                mov %r0, 0
                exit
                """));
        return rt.progLoad(ProgSpec.builder(ProgramType.TRACING, insns).name("obs" + slot).maps(List.of(record)).license("GPL")
                .expectedAttachType(AttachType.TRACE_SDT).attachProgram(target).sdtProbeName(probe).engine(engine).build());
    }

    static long run(BpfProgram target, long arg) {
        return target.testRun(TestRunSpec.ctx(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(arg).array())).retval();
    }

    static long word(BpfMap record, int index) {
        return ByteBuffer.wrap(record.lookup(new byte[4]).orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getLong(8 * index);
    }

    /** Calls so far. */
    static long calls(BpfMap record) {
        return word(record, 0);
    }

    /** The argument observer {@code slot} saw last. */
    static long seen(BpfMap record, int slot) {
        return word(record, 1 + 2 * slot);
    }

    /** The call number of observer {@code slot}'s last call. */
    static long order(BpfMap record, int slot) {
        return word(record, 2 + 2 * slot);
    }
}
