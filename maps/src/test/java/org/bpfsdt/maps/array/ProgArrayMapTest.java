package org.bpfsdt.maps.array;

import static org.bpfsdt.maps.Errors.assertErrno;
import static org.bpfsdt.maps.Errors.assertRc;
import static org.bpfsdt.maps.Mem.u32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.api.spi.ProgArrayBackend;
import org.bpfsdt.maps.Mem;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.maps.TestContext;
import org.bpfsdt.maps.TestContext.TestProgram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgArrayMapTest {
    private final TestContext ctx = new TestContext();
    private final StandardMapProvider provider = new StandardMapProvider();
    private final TestProgram xdpA = ctx.addProgram(10, ProgramType.XDP, 0x1000);
    private final TestProgram xdpB = ctx.addProgram(11, ProgramType.XDP, 0x2000);
    private final TestProgram tc = ctx.addProgram(12, ProgramType.SCHED_CLS, 0x3000);
    private final TestProgram ext = ctx.addProgram(13, ProgramType.EXT, 0x4000);

    @AfterEach
    void noNativeMemoryLeft() {
        assertEquals(0, provider.memory().bytes());
    }

    private ProgArrayBackend progArray(int maxEntries) {
        MapBackend m = provider.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, maxEntries), ctx);
        return assertInstanceOf(ProgArrayBackend.class, m);
    }

    private static long slot(ProgArrayBackend m, int index) {
        return Mem.u64At(m.data() + 8L * index);
    }

    @Test
    void createChecksFollowFdArrayMapAllocCheck() {
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.PROG_ARRAY, 4, 8, 4), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 4).withFlags(MapFlags.RDONLY_PROG), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 4).withFlags(MapFlags.MMAPABLE), ctx));
        assertErrno(Errno.EINVAL, () -> provider.create(MapSpec.of(MapType.PROG_ARRAY, 4, 4, 0), ctx));
    }

    @Test
    void javaStoresProgramIdsAndTheTableHoldsTheirDescriptors() {
        try (ProgArrayBackend m = progArray(4)) {
            m.update(u32(1), u32(10), MapFlags.ANY);
            assertEquals(1, xdpA.references(), "the map holds the program");
            assertEquals(0x1000, slot(m, 1), "compiled tail calls read the descriptor from data()");
            assertEquals(0, slot(m, 0));
            assertEquals(10, m.programAt(1).id());
            assertNull(m.programAt(0));
            assertNull(m.programAt(4));

            MemorySegment out = Mem.alloc(4);
            assertTrue(m.lookup(u32(1), out));
            assertEquals(10, Mem.u32(out), "Java reads back the id");
            assertFalse(m.lookup(u32(0), out), "an empty slot is ENOENT");
            assertEquals(0, m.lookup(u32(1).address()), "programs cannot look programs up");
        }
        assertEquals(0, xdpA.references(), "closing the map releases its programs");
    }

    @Test
    void replacedAndDeletedProgramsAreReleasedAfterTheRunsThatMayCallThem() {
        try (ProgArrayBackend m = progArray(2)) {
            m.update(u32(0), u32(10), MapFlags.ANY);
            TestContext.Run run = ctx.enterRun();
            m.update(u32(0), u32(11), MapFlags.ANY);
            assertEquals(0x2000, slot(m, 0));
            assertEquals(1, xdpA.references(), "a run that started before the swap may still tail call the old program");
            run.close();
            assertEquals(0, xdpA.references());

            assertTrue(m.delete(u32(0)));
            assertEquals(0, slot(m, 0));
            assertEquals(0, xdpB.references());
            assertFalse(m.delete(u32(0)), "deleting an empty slot is ENOENT");
            assertErrno(Errno.E2BIG, () -> m.delete(u32(2)));
        }
    }

    @Test
    void updatesTakeBpfAnyAndCompatibleExistingPrograms() {
        try (ProgArrayBackend m = progArray(2)) {
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), u32(10), MapFlags.NOEXIST));
            assertErrno(Errno.E2BIG, () -> m.update(u32(2), u32(10), MapFlags.ANY));
            assertErrno(Errno.ENOENT, () -> m.update(u32(0), u32(99), MapFlags.ANY));
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), u32(13), MapFlags.ANY));
            assertEquals(0, ext.references(), "a refused program is not kept");

            m.update(u32(0), u32(10), MapFlags.ANY);
            assertErrno(Errno.EINVAL, () -> m.update(u32(1), u32(12), MapFlags.ANY));
            assertEquals(0, tc.references());
            assertTrue(m.compatible(ProgramType.XDP));
            assertFalse(m.compatible(ProgramType.SCHED_CLS), "the first program fixed the owner type");
        }
    }

    @Test
    void theFirstUserFixesTheOwnerType() {
        try (ProgArrayBackend m = progArray(1)) {
            assertTrue(m.compatible(ProgramType.SCHED_CLS));
            assertErrno(Errno.EINVAL, () -> m.update(u32(0), u32(10), MapFlags.ANY));
        }
    }

    @Test
    void clearEmptiesEverySlotAsTheLastUserHandleCloses() {
        try (ProgArrayBackend m = progArray(3)) {
            m.update(u32(0), u32(10), MapFlags.ANY);
            m.update(u32(2), u32(11), MapFlags.ANY);
            m.clear();
            assertEquals(0, slot(m, 0));
            assertEquals(0, slot(m, 2));
            assertEquals(0, xdpA.references());
            assertEquals(0, xdpB.references());
        }
    }

    @Test
    void programsCannotWriteTheTable() {
        try (ProgArrayBackend m = progArray(1)) {
            assertRc(Errno.EOPNOTSUPP, m.update(u32(0).address(), u32(10).address(), MapFlags.ANY));
            assertRc(Errno.EOPNOTSUPP, m.delete(u32(0).address()));
        }
    }

    @Test
    void theTableIsPaddedToThePowerOfTwoSoAMaskedIndexStaysInside() {
        try (ProgArrayBackend m = progArray(5)) {
            for (int i = 5; i < 8; i++) {
                assertEquals(0, slot(m, i));
            }
        }
    }
}
