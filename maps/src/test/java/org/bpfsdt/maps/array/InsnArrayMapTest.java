package org.bpfsdt.maps.array;

import static org.bpfsdt.maps.Errors.assertErrno;
import static org.bpfsdt.maps.Mem.u32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.InsnArrayBackend;
import org.bpfsdt.api.spi.InsnArrayValue;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.SdtProbeInfo;
import org.bpfsdt.maps.Mem;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.maps.TestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InsnArrayMapTest {
    private final TestContext ctx = new TestContext();
    private final StandardMapProvider provider = new StandardMapProvider();

    /** A target with two probe NOPs (slots 1 and 5) and an LDDW in slots 2-3. */
    private static final List<Insn> TARGET = Assembler.assemble("""
            mov %r0, 0
            ja +0
            lddw %r1, 0x1122334455667788
            mov %r2, %r1
            ja +0
            exit
            """);

    @AfterEach
    void noNativeMemoryLeft() {
        assertEquals(0, provider.memory().bytes());
    }

    private InsnArrayBackend insnArray(int maxEntries, boolean sdt) {
        MapSpec spec = MapSpec.of(MapType.INSN_ARRAY, 4, InsnArrayValue.size(sdt), maxEntries)
                .withFlags(sdt ? MapFlags.INSN_ARRAY_SDT : 0);
        return assertInstanceOf(InsnArrayBackend.class, provider.create(spec, ctx));
    }

    private static MemorySegment value(InsnArrayValue v, boolean sdt) {
        byte[] b = v.encode(sdt);
        MemorySegment s = Mem.alloc(b.length);
        s.copyFrom(MemorySegment.ofArray(b));
        return s;
    }

    /** The SDT map the loader makes for {@link #TARGET}. */
    private InsnArrayBackend probes() {
        InsnArrayBackend m = insnArray(2, true);
        m.update(u32(0), value(InsnArrayValue.probe(1, "probe_len_ret", 7, 2, 0), true), MapFlags.ANY);
        m.update(u32(1), value(InsnArrayValue.probe(5, "done", 9), true), MapFlags.ANY);
        m.freeze();
        return m;
    }

    @Test
    void createChecksFollowInsnArrayAllocCheck() {
        assertErrno(Errno.EINVAL, () -> insnArray(0, false));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.INSN_ARRAY, 8, 16, 1), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.INSN_ARRAY, 4, 8, 1), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.INSN_ARRAY, 4, 16, 1).withFlags(MapFlags.RDONLY), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.INSN_ARRAY, 4, 16, 1).withFlags(MapFlags.INSN_ARRAY_SDT), ctx),
                "the SDT layout has 96-byte values");
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.INSN_ARRAY, 4, 96, 1), ctx));
    }

    @Test
    void javaWritesOnlyTheLoadedOffset() {
        try (InsnArrayBackend m = insnArray(2, false)) {
            m.update(u32(1), value(InsnArrayValue.of(4), false), MapFlags.ANY);
            MemorySegment out = Mem.alloc(16);
            assertTrue(m.lookup(u32(1), out));
            assertEquals(InsnArrayValue.of(4), InsnArrayValue.decode(out, false));
            assertEquals(m.lookup(u32(1).address()), m.lookup(u32(1).address()));

            assertErrno(Errno.EINVAL, () -> m.update(u32(0), value(new InsnArrayValue(1, 3, 0, "", 0, null), false), MapFlags.ANY));
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), value(new InsnArrayValue(1, 0, 8, "", 0, null), false), MapFlags.ANY));
            assertErrno(Errno.EEXIST, () -> m.update(u32(0), value(InsnArrayValue.of(1), false), MapFlags.NOEXIST));
            assertErrno(Errno.E2BIG, () -> m.update(u32(2), value(InsnArrayValue.of(1), false), MapFlags.ANY));
            assertErrno(Errno.EINVAL, () -> m.delete(u32(0)));
            MemorySegment next = Mem.alloc(4);
            assertTrue(m.nextKey(u32(0), next));
            assertEquals(1, Mem.u32(next));
            assertFalse(m.nextKey(u32(1), next));
            m.freeze();
            assertErrno(Errno.EPERM, () -> m.update(u32(0), value(InsnArrayValue.of(1), false), MapFlags.ANY));
        }
    }

    @Test
    void sdtEntriesCarryNameProtoAndArgumentRegisters() {
        try (InsnArrayBackend m = probes()) {
            assertTrue(m.isSdt());
            MemorySegment out = Mem.alloc(96);
            assertTrue(m.lookup(u32(0), out));
            InsnArrayValue v = InsnArrayValue.decode(out, true);
            assertEquals("probe_len_ret", v.probeName());
            assertEquals(7, v.btfId());
            assertArrayEquals(new int[] {2, 0}, v.argRegs());
            assertEquals(List.of(new SdtProbe("probe_len_ret", 1, 0, 7, new int[] {2, 0}).name(), "done"),
                    m.probes().stream().map(SdtProbe::name).toList());
        }
    }

    @Test
    void malformedSdtEntriesAreRefused() {
        try (InsnArrayBackend m = insnArray(1, true)) {
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), value(InsnArrayValue.of(1), true), MapFlags.ANY));
            MemorySegment tooManyArgs = value(InsnArrayValue.probe(1, "p", 1, 1, 2, 3, 4, 5), true);
            tooManyArgs.set(java.lang.foreign.ValueLayout.JAVA_BYTE, InsnArrayValue.SDT_NR_ARGS, (byte) 6);
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), tooManyArgs, MapFlags.ANY));
            MemorySegment noNul = value(InsnArrayValue.probe(1, "p", 1), true);
            noNul.asSlice(InsnArrayValue.SDT_NAME, InsnArrayValue.SDT_NAME_LEN).fill((byte) 'a');
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), noNul, MapFlags.ANY));
            MemorySegment reserved = value(InsnArrayValue.probe(1, "p", 1), true);
            reserved.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 30, (byte) 1);
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), reserved, MapFlags.ANY));
            assertErrno(Errno.EINVAL, () -> InsnArrayValue.probe(1, "no spaces", 1));
            assertErrno(Errno.EINVAL, () -> InsnArrayValue.probe(1, "p", 1, 11));
        }
    }

    @Test
    void bindNeedsAFrozenMapWithValidOffsetsAndOneProgram() {
        try (InsnArrayBackend m = insnArray(2, false)) {
            m.update(u32(0), value(InsnArrayValue.of(1), false), MapFlags.ANY);
            m.update(u32(1), value(InsnArrayValue.of(4), false), MapFlags.ANY);
            assertErrno(Errno.EINVAL, () -> m.bind(TARGET));
            m.freeze();
            assertErrno(Errno.EINVAL, () -> m.bind(TARGET.subList(0, 4)), "offset 4 is past a 4-slot program");
            m.bind(TARGET);
            assertErrno(Errno.EBUSY, () -> m.bind(TARGET));
            m.release();
            m.bind(TARGET);
        }
        try (InsnArrayBackend m = insnArray(1, false)) {
            m.update(u32(0), value(InsnArrayValue.of(3), false), MapFlags.ANY);
            m.freeze();
            assertErrno(Errno.EINVAL, () -> m.bind(TARGET), "slot 3 is the second half of the LDDW");
        }
    }

    @Test
    void bindChecksThatEveryProbeIsAUniquelyNamedNop() {
        try (InsnArrayBackend m = insnArray(1, true)) {
            m.update(u32(0), value(InsnArrayValue.probe(0, "p", 1), true), MapFlags.ANY);
            m.freeze();
            assertErrno(Errno.EINVAL, () -> m.bind(TARGET), "slot 0 is r0 = 0, not goto +0");
        }
        try (InsnArrayBackend m = insnArray(2, true)) {
            m.update(u32(0), value(InsnArrayValue.probe(1, "same", 1), true), MapFlags.ANY);
            m.update(u32(1), value(InsnArrayValue.probe(5, "same", 1), true), MapFlags.ANY);
            m.freeze();
            assertErrno(Errno.EINVAL, () -> m.bind(TARGET));
        }
        try (InsnArrayBackend m = insnArray(2, true)) {
            m.update(u32(0), value(InsnArrayValue.probe(1, "only", 1), true), MapFlags.ANY);
            m.freeze();
            assertErrno(Errno.EINVAL, () -> m.bind(TARGET), "entry 1 was never written: it is no probe");
        }
    }

    @Test
    void offsetsFollowTheVerifiersRewritesAndTheJit() {
        try (InsnArrayBackend m = probes()) {
            m.bind(TARGET);
            assertEquals(List.of(1, 5), xlated(m));

            // the verifier turned slot 0 into three instructions and slot 4 stayed
            int[] origToXlated = {0, 3, 4, 5, 6, 7};
            m.applyXlation(origToXlated);
            assertEquals(List.of(3, 7), xlated(m));
            assertFalse(m.ready(), "no native addresses yet");

            int[] slotOffsets = new int[8];
            for (int i = 0; i < 8; i++) {
                slotOffsets[i] = i * 4;
            }
            m.recordJitted(slotOffsets, 0x7000);
            assertTrue(m.ready());
            SdtProbeInfo info = m.probeByName("done").orElseThrow();
            assertEquals(7, info.probe().xlatedOff());
            assertEquals(28, info.jittedOff());
            assertEquals(0x7000 + 28, info.probeIp());
            assertEquals(9, info.probe().btfId());
            assertTrue(m.probeByName("missing").isEmpty());

            // a rebind (a verification replayed) starts from the loaded offsets again
            m.release();
            m.bind(TARGET);
            assertEquals(List.of(1, 5), xlated(m));
            assertEquals(0, m.probeByName("done").orElseThrow().probeIp());
        }
    }

    @Test
    void removedInstructionsMarkTheirEntriesDeletedAndNameLookupSkipsThem() {
        try (InsnArrayBackend m = probes()) {
            m.bind(TARGET);
            m.applyXlation(new int[] {0, -1, 1, 2, 3, 4});
            assertEquals(List.of(InsnArrayValue.DELETED, 4), xlated(m));
            assertTrue(m.probeByName("probe_len_ret").isEmpty(), "a deleted probe is not found");
            assertEquals(-1, m.probes().get(0).xlatedOff());
            m.recordJitted(new int[] {0, 1, 2, 3, 4}, 0x100);
            assertTrue(m.ready(), "deleted entries need no address");
        }
    }

    @Test
    void incrementalAdjustmentsMatchTheKernelsHelpers() {
        try (InsnArrayBackend m = probes()) {
            m.bind(TARGET); // offsets 1 and 5
            m.adjust(1, 3); // slot 1 became 3 slots: the entry stays on its first, later ones move by 2
            assertEquals(List.of(1, 7), xlated(m));
            m.adjust(0, 1); // one-for-one patches move nothing
            assertEquals(List.of(1, 7), xlated(m));
            m.adjustAfterRemove(2, 3); // slots 2..4 removed
            assertEquals(List.of(1, 4), xlated(m));
            m.adjustAfterRemove(4, 1);
            assertEquals(List.of(1, InsnArrayValue.DELETED), xlated(m));
        }
    }

    @Test
    void plainMapsHaveNoProbes() {
        try (InsnArrayBackend m = insnArray(1, false)) {
            assertFalse(m.isSdt());
            assertTrue(m.probes().isEmpty());
            assertTrue(m.probeByName("").isEmpty());
            assertErrno(Errno.EINVAL, () -> InsnArrayValue.probe(1, "p", 1).encode(false));
        }
    }

    private static List<Integer> xlated(InsnArrayBackend m) {
        List<Integer> out = new ArrayList<>();
        m.entries().forEach(v -> out.add(v.xlatedOff()));
        return out;
    }
}
