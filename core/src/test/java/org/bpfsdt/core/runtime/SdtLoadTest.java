package org.bpfsdt.core.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;
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
import org.bpfsdt.api.spi.InsnArrayBackend;
import org.bpfsdt.api.spi.InsnArrayValue;
import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.api.spi.SdtAttachPoint;
import org.bpfsdt.api.spi.SdtProbeInfo;
import org.bpfsdt.api.spi.SdtSite;
import org.bpfsdt.api.spi.Trampoline;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.maps.StandardMapProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code progLoad} of SDT targets and observers as the seed loads them (every error path gives
 * back what it took: reference counts and native memory return to their baseline), and the
 * interpreter's probe sites driven through the link SPI: arguments extended as declared,
 * observers called in order, the NOP restored.
 */
class SdtLoadTest {
    private final CoreRuntime runtime = new CoreRuntime();
    private final StandardMapProvider maps = new StandardMapProvider();
    private final TestServices.AcceptAll verifier = new TestServices.AcceptAll();
    private final RuntimeLinkContext links = new RuntimeLinkContext(runtime);

    /** void (int, unsigned short, signed char, unsigned long long): the probe's FUNC_PROTO. */
    private static final Btf BTF;
    private static final int PROTO;

    static {
        BtfBuilder b = new BtfBuilder();
        int s32 = b.integer("int", 4, true);
        int u16 = b.integer("unsigned short", 2, false);
        int s8 = b.integer("signed char", 1, true);
        int u64 = b.integer("unsigned long long", 8, false);
        PROTO = b.add(new BtfType.FuncProto(0, List.of(new BtfType.Param("", s32), new BtfType.Param("", u16),
                new BtfType.Param("", s8), new BtfType.Param("", u64))));
        BTF = b.build();
    }

    /** Where the target's NOP is: after it has the u64 argument of its test run in r2..r5. */
    private static final int SITE = 5;

    @BeforeEach
    void services() {
        runtime.addMapProvider(maps, Map.of());
        runtime.addVerifier(verifier, Map.of());
    }

    @AfterEach
    void close() {
        runtime.close();
        assertEquals(0, runtime.heap().liveAllocations(), "native memory left after close");
        assertEquals(0, maps.memory().openMaps(), "maps left open");
    }

    private static List<Insn> target() {
        List<Insn> insns = Assembler.assemble("""
                ldxdw %r6, [%r1+0]
                mov %r2, %r6
                mov %r3, %r6
                mov %r4, %r6
                mov %r5, %r6
                ja +0
                mov %r0, 7
                exit
                """);
        assertEquals(Insn.ja(0), insns.get(SITE));
        return insns;
    }

    private BpfMap sdtMap(InsnArrayValue... probes) {
        BpfMap m = runtime.mapCreate(MapSpec.of(MapType.INSN_ARRAY, 4, InsnArrayValue.SDT_SIZE, probes.length)
                .withFlags(MapFlags.INSN_ARRAY_SDT).withName("target.sdt"));
        for (int i = 0; i < probes.length; i++) {
            m.update(u32(i), probes[i].encode(true), MapFlags.ANY);
        }
        m.freeze();
        return m;
    }

    private static InsnArrayValue args4() {
        return InsnArrayValue.probe(SITE, "args4", PROTO, 2, 3, 4, 5);
    }

    private BpfProgram loadTarget(BpfMap sdt) {
        return runtime.progLoad(ProgSpec.builder(ProgramType.TRACING, target()).name("target").btf(BTF).sdtMap(sdt).license("GPL").build());
    }

    /** Copies its four arguments to the map's value and counts its calls at offset 32; {@code tag} goes to offset 40 + 8 * slot. */
    private static ProgSpec.Builder observer(BpfMap out, int slot, BpfProgram target, String probe) {
        List<Insn> insns = new ArrayList<>(List.of(Insn.lddw(2, Opcodes.PSEUDO_MAP_IDX_VALUE, 0)));
        insns.addAll(Assembler.assemble("""
                ldxdw %r3, [%r1+0]
                stxdw [%r2+0], %r3
                ldxdw %r3, [%r1+8]
                stxdw [%r2+8], %r3
                ldxdw %r3, [%r1+16]
                stxdw [%r2+16], %r3
                ldxdw %r3, [%r1+24]
                stxdw [%r2+24], %r3
                mov %r3, 1
                lock fetch add [%r2+32], %r3
                add %r3, 1
                stxdw [%r2+""" + (40 + 8 * slot) + """
                ], %r3
                mov %r0, 0
                exit
                """));
        return ProgSpec.builder(ProgramType.TRACING, insns).name("obs" + slot).maps(List.of(out)).license("GPL")
                .expectedAttachType(AttachType.TRACE_SDT).attachProgram(target).sdtProbeName(probe);
    }

    private BpfMap output() {
        return runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 64, 1).withName("out"));
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static long word(BpfMap m, int index) {
        return ByteBuffer.wrap(m.lookup(new byte[4]).orElseThrow()).order(ByteOrder.LITTLE_ENDIAN).getLong(8 * index);
    }

    // ---- targets ----------------------------------------------------------------------------

    @Test
    void aTargetBindsItsSdtMapAndTheProbesFollowTheVerifier() {
        BpfMap sdt = sdtMap(args4());
        try (BpfProgram t = loadTarget(sdt)) {
            assertEquals(2, runtime.refCount(sdt), "the target holds its SDT map");
            VerifierRequest req = verifier.last;
            assertEquals(1, req.sdtProbes().size());
            assertEquals("args4", req.sdtProbes().get(0).name());
            assertEquals(SITE, req.sdtProbes().get(0).origOff());
            assertTrue(req.maps().isEmpty(), "the SDT map is not one of the program's maps");
            InsnArrayValue v = InsnArrayValue.decode(java.lang.foreign.MemorySegment.ofArray(sdt.lookup(u32(0)).orElseThrow()), true);
            assertEquals(SITE, v.xlatedOff(), "xlated_off from the verifier's origToXlated");
            assertEquals(Errno.EBUSY, assertThrows(BpfException.class, () -> loadTarget(sdt)).errno(), "one program per map");
            assertEquals(2, runtime.refCount(sdt));
        }
        try (BpfProgram again = loadTarget(sdt)) {
            assertEquals("interpreter", again.engine(), "the map is free once its program is gone");
        }
        sdt.close();
    }

    @Test
    void theSdtMapFollowsItsTargetFromEngineToEngine() {
        TestServices.FakeJit jit = new TestServices.FakeJit("x86_64", true, true);
        runtime.addJit(jit, Map.of(JitCompiler.PROP_SDT_PROBE, true));
        BpfMap sdt = sdtMap(args4());
        try (BpfProgram t = loadTarget(sdt)) {
            InsnArrayBackend probes = ((ProgramHandle) t).object.sdtProbes;
            SdtProbeInfo first = probes.probeByName("args4").orElseThrow();
            assertEquals("x86_64", t.engine());
            assertEquals(8 * SITE, first.jittedOff());
            assertEquals(TestServices.FakeJit.FAKE_CODE + 0x10_0000L + 8 * SITE, first.probeIp());

            runtime.removeJit(jit);
            assertEquals("interpreter", t.engine());
            SdtProbeInfo interpreted = probes.probeByName("args4").orElseThrow();
            assertEquals(0, interpreted.jittedOff(), "no native site on the interpreter");
            assertEquals(0, interpreted.probeIp(), "no address of code that is gone");
            assertEquals(0, InsnArrayValue.decode(java.lang.foreign.MemorySegment.ofArray(sdt.lookup(u32(0)).orElseThrow()), true).jittedOff());

            runtime.addJit(jit, Map.of(JitCompiler.PROP_SDT_PROBE, true));
            assertEquals("x86_64", t.engine());
            assertEquals(TestServices.FakeJit.FAKE_CODE + 0x20_0000L + 8 * SITE, probes.probeByName("args4").orElseThrow().probeIp(),
                    "the new image's site");
        }
        sdt.close();
    }

    @Test
    void badSdtMapsAreRefusedAndGiveEverythingBack() {
        BpfMap notFrozen = runtime.mapCreate(MapSpec.of(MapType.INSN_ARRAY, 4, InsnArrayValue.SDT_SIZE, 1).withFlags(MapFlags.INSN_ARRAY_SDT));
        notFrozen.update(u32(0), args4().encode(true), MapFlags.ANY);
        BpfMap plain = runtime.mapCreate(MapSpec.of(MapType.INSN_ARRAY, 4, InsnArrayValue.SIZE, 1));
        plain.update(u32(0), InsnArrayValue.of(SITE).encode(false), MapFlags.ANY);
        plain.freeze();
        BpfMap array = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1));
        BpfMap notNop = sdtMap(InsnArrayValue.probe(SITE + 1, "args4", PROTO, 2, 3, 4, 5));
        BpfMap sdt = sdtMap(args4());
        long heap = runtime.heap().liveAllocations();

        assertRefused(() -> loadTarget(notFrozen), Errno.EINVAL, "frozen");
        assertRefused(() -> loadTarget(plain), Errno.EINVAL, "INSN_ARRAY map with the SDT flag");
        assertRefused(() -> loadTarget(array), Errno.EINVAL, "INSN_ARRAY map with the SDT flag");
        assertRefused(() -> loadTarget(notNop), Errno.EINVAL, "is not a 'goto +0' NOP");
        assertRefused(() -> runtime.progLoad(ProgSpec.builder(ProgramType.TRACING, target()).btf(BTF).maps(List.of(sdt)).build()),
                Errno.EINVAL, "pass it as the program's SDT map");
        verifier.failWith = new BpfException(Errno.EACCES, "rejected by the test");
        assertRefused(() -> loadTarget(sdt), Errno.EACCES, "rejected by the test");
        verifier.failWith = null;
        for (BpfMap m : List.of(notFrozen, plain, array, notNop, sdt)) {
            assertEquals(1, runtime.refCount(m), m + " back to its handle's reference");
        }
        assertEquals(heap, runtime.heap().liveAllocations(), "no descriptor left behind");
        assertTrue(runtime.programs().isEmpty());
        try (BpfProgram t = loadTarget(sdt)) {
            assertNotNull(t, "a refused load leaves the map unbound");
        }
        List.of(notFrozen, plain, array, notNop, sdt).forEach(BpfMap::close);
    }

    @Test
    void aTargetWithProbesNeedsAnEngineWithSdtSupport() {
        TestServices.FakeJit plain = new TestServices.FakeJit("x86_64", true, false);
        runtime.addJit(plain, Map.of(JitCompiler.PROP_ARCH, "x86_64", JitCompiler.PROP_SDT_PROBE, false));
        BpfMap sdt = sdtMap(args4());
        try (BpfProgram t = loadTarget(sdt)) {
            assertEquals("interpreter", t.engine(), "a JIT without SDT support is passed over");
        }
        assertRefused(() -> runtime.progLoad(ProgSpec.builder(ProgramType.TRACING, target()).btf(BTF).sdtMap(sdt).engine("x86_64").build()),
                Errno.EOPNOTSUPP, "does not support SDT probes");
        assertEquals(1, runtime.refCount(sdt));
        sdt.close();
    }

    // ---- observers: the seed's branch and its error paths -------------------------------------

    private void assertRefused(Runnable load, Errno errno, String fragment) {
        BpfException e = assertThrows(BpfException.class, load::run);
        assertEquals(errno, e.errno(), e.getMessage());
        assertTrue(e.reason().contains(fragment), "'" + fragment + "' in: " + e.reason());
    }

    @Test
    void observerLoadFailuresGiveBackWhatTheyTook() {
        BpfMap sdt = sdtMap(args4());
        BpfMap out = output();
        BpfProgram target = loadTarget(sdt);
        long heap = runtime.heap().liveAllocations();
        int targetRefs = runtime.refCount(target), outRefs = runtime.refCount(out);

        // EINVAL without a target
        assertRefused(() -> runtime.progLoad(observer(out, 0, null, "args4").build()), Errno.EINVAL, "target program");
        // EEXIST: no probe of that name (the seed's bpf_insn_array_get_sdt_probe_by_name)
        assertRefused(() -> runtime.progLoad(observer(out, 0, target, "nope").build()), Errno.EEXIST, "no SDT probe named 'nope' (probes: args4)");
        assertRefused(() -> runtime.progLoad(observer(out, 0, target, null).build()), Errno.EEXIST, "no SDT probe named");
        // bpf_prog_load_check_attach: an observer is a tracing program
        assertRefused(() -> runtime.progLoad(ProgSpec.builder(ProgramType.KPROBE, observer(out, 0, target, "args4").build().insns())
                .maps(List.of(out)).expectedAttachType(AttachType.TRACE_SDT).attachProgram(target).sdtProbeName("args4").build()),
                Errno.EINVAL, "is a TRACING program");
        // the verifier's refusal comes after the SDT branch took the target
        verifier.failWith = new BpfException(Errno.EACCES, "refused by the test");
        assertRefused(() -> runtime.progLoad(observer(out, 0, target, "args4").build()), Errno.EACCES, "refused by the test");
        verifier.failWith = null;
        assertEquals(targetRefs, runtime.refCount(target), "the target's references are back to their baseline");
        assertEquals(outRefs, runtime.refCount(out));
        assertEquals(heap, runtime.heap().liveAllocations());

        // the target's own error when it cannot be taken
        BpfProgram closed = target.dup();
        closed.close();
        assertRefused(() -> runtime.progLoad(observer(out, 0, closed, "args4").build()), Errno.EBADF, "the handle is closed");
        assertEquals(targetRefs, runtime.refCount(target));
        target.close();
        out.close();
        sdt.close();
    }

    @Test
    void aTargetWithoutProbesHasNoProbeOfThatName() {
        BpfMap out = output();
        try (BpfProgram plain = runtime.progLoad(ProgSpec.builder(ProgramType.TRACING, target()).btf(BTF).build())) {
            assertRefused(() -> runtime.progLoad(observer(out, 0, plain, "args4").build()), Errno.EEXIST, "it has no SDT map");
            assertEquals(1, runtime.refCount(plain));
        }
        out.close();
    }

    @Test
    void aTargetOnAJitWithoutSdtSupportGivesEopnotsupp() {
        runtime.addJit(new TestServices.FakeJit("x86_64", true, false), Map.of(JitCompiler.PROP_SDT_PROBE, false));
        BpfMap out = output();
        try (BpfProgram plain = runtime.progLoad(ProgSpec.builder(ProgramType.TRACING, target()).btf(BTF).build())) {
            assertEquals("x86_64", plain.engine());
            assertRefused(() -> runtime.progLoad(observer(out, 0, plain, "args4").build()), Errno.EOPNOTSUPP, "does not support SDT probes");
            assertEquals(1, runtime.refCount(plain));
        }
        out.close();
    }

    @Test
    void anObserverCachesItsProbeAndHoldsItsTarget() {
        BpfMap sdt = sdtMap(args4());
        BpfMap out = output();
        BpfProgram target = loadTarget(sdt);
        try (BpfProgram obs = runtime.progLoad(observer(out, 0, target, "args4").build())) {
            assertEquals(2, runtime.refCount(target), "ownership of the target moved to the observer");
            VerifierRequest req = verifier.last;
            assertSame(BTF, req.attachBtf(), "the FUNC_PROTO is looked up in the target's BTF");
            assertEquals(PROTO, req.attachBtfId(), "the probe's FUNC_PROTO is the attach BTF id");
            assertEquals(4, req.context().fields().size(), "the context is the probe's four arguments");
            assertEquals(32, req.context().size());
            LoadedProgram o = ((ProgramHandle) obs).object;
            assertEquals("args4", o.observedProbe.probe().name());
            assertArrayEquals(new int[] {2, 3, 4, 5}, o.observedProbe.probe().argRegs());
            assertEquals(PROTO, o.attachBtfId);
            target.close();
            assertEquals(1, ((ProgramHandle) target).object.refCount(), "the observer keeps its target loaded");
        }
        assertTrue(runtime.programs().isEmpty(), "closing the observer let the target go");
        out.close();
        sdt.close();
    }

    // ---- the interpreter's probe sites, through the link SPI ----------------------------------

    private record Attached(ProgramRef observer, SdtAttachPoint point, SdtSite site) {
    }

    private Attached attach(BpfProgram... observers) {
        List<ProgramRef> refs = new ArrayList<>();
        for (BpfProgram o : observers) {
            refs.add(links.reference(o));
        }
        SdtAttachPoint point = links.sdtAttachPoint(refs.get(0));
        SdtSite site = point.site();
        Trampoline t = site.prepare(point.model(), refs);
        site.attach(t);
        refs.subList(1, refs.size()).forEach(ProgramRef::close);
        return new Attached(refs.get(0), point, site);
    }

    @Test
    void theNopCallsTheObserverWithItsArgumentsExtendedAsDeclared() {
        BpfMap sdt = sdtMap(args4());
        BpfMap out = output();
        try (BpfProgram target = loadTarget(sdt); BpfProgram obs = runtime.progLoad(observer(out, 0, target, "args4").build())) {
            long v = 0xfedc_ba98_8765_8180L;
            assertEquals(7, target.testRun(TestRunSpec.ctx(u64(v))).retval());
            assertEquals(0, word(out, 4), "a NOP while nothing is attached");

            Attached a = attach(obs);
            assertEquals("interpreter", a.site().engine());
            assertEquals(0, a.site().address());
            assertEquals(7, target.testRun(TestRunSpec.ctx(u64(v))).retval(), "the target's result is untouched");
            assertEquals((long) (int) v, word(out, 0), "int: sign-extended from 32 bits");
            assertEquals(v & 0xffff, word(out, 1), "unsigned short: zero-extended from 16 bits");
            assertEquals((long) (byte) v, word(out, 2), "signed char: sign-extended from 8 bits");
            assertEquals(v, word(out, 3), "u64 as is");
            assertEquals(1, word(out, 4));

            a.site().detach();
            target.testRun(TestRunSpec.ctx(u64(v)));
            assertEquals(1, word(out, 4), "detached: the NOP again");
            a.point().close();
            a.observer().close();
        }
        out.close();
        sdt.close();
    }

    @Test
    void severalObserversRunInOrderOnTheirOwnEngines() {
        TestServices.FakeJit jit = new TestServices.FakeJit("x86_64", true, true);
        BpfMap sdt = sdtMap(args4());
        BpfMap out = output();
        runtime.addJit(jit, Map.of(JitCompiler.PROP_SDT_PROBE, true));
        // the JIT double has no patchable sites: the target stays on the interpreter, its observers go anywhere
        try (BpfProgram target = runtime.progLoad(ProgSpec.builder(ProgramType.TRACING, target()).btf(BTF).sdtMap(sdt).engine("interpreter").build())) {
            try (BpfProgram first = runtime.progLoad(observer(out, 0, target, "args4").engine("interpreter").build());
                 BpfProgram second = runtime.progLoad(observer(out, 1, target, "args4").engine("x86_64").build())) {
                assertEquals("x86_64", second.engine());
                Attached a = attach(first, second);
                target.testRun(TestRunSpec.ctx(u64(3)));
                assertEquals(2, word(out, 4), "both ran");
                assertEquals(1, word(out, 5), "the first attached ran first");
                assertEquals(2, word(out, 6), "then the second");
                a.site().detach();
                a.point().close();
                a.observer().close();
            }
        }
        out.close();
        sdt.close();
    }

    @Test
    void onlyObserversOfTheProbeCanBeAttached() {
        BpfMap sdt = sdtMap(args4());
        BpfMap out = output();
        try (BpfProgram target = loadTarget(sdt); BpfProgram obs = runtime.progLoad(observer(out, 0, target, "args4").build());
             BpfProgram notObs = runtime.progLoad(ProgSpec.builder(ProgramType.TRACING, target()).build())) {
            ProgramRef plain = links.reference(notObs);
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> links.sdtAttachPoint(plain)).errno());
            ProgramRef o = links.reference(obs);
            SdtAttachPoint point = links.sdtAttachPoint(o);
            assertEquals(3, runtime.refCount(target), "handle, observer, attach point");
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> point.site().prepare(point.model(), List.of(plain))).errno());
            point.close();
            point.close();
            assertEquals(2, runtime.refCount(target), "closing twice gives back one reference");
            plain.close();
            o.close();
        }
        out.close();
        sdt.close();
    }

    @Test
    void theModelComesFromTheTargetsBtf() {
        BpfMap sdt = sdtMap(args4());
        BpfMap out = output();
        try (BpfProgram target = loadTarget(sdt); BpfProgram obs = runtime.progLoad(observer(out, 0, target, "args4").build())) {
            ProgramRef o = links.reference(obs);
            SdtAttachPoint point = links.sdtAttachPoint(o);
            assertArrayEquals(new int[] {4, 2, 1, 8}, point.model().argSize());
            assertArrayEquals(new boolean[] {true, false, true, false}, point.model().argSigned());
            assertEquals(target.id(), point.target().id());
            assertEquals("args4", point.probe().probe().name());
            assertNull(null);
            point.close();
            o.close();
        }
        out.close();
        sdt.close();
    }
}
