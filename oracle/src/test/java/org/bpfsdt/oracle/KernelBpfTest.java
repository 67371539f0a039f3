package org.bpfsdt.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KernelBpfTest {

    @BeforeEach
    void needsKernel() {
        KernelBpf.Availability a = KernelBpf.availability();
        assumeTrue(a.available(), a.reason());
    }

    @Test
    void testRunsAnXdpProgram() {
        int fd = KernelBpf.progLoad(new KernelBpf.ProgLoad(ProgramType.XDP, Assembler.assemble("mov %r0, 2\nexit"), "GPL", 0, 0));
        try {
            KernelBpf.TestRun run = KernelBpf.testRun(fd, new byte[64], null, 1, 64);
            assertEquals(2, run.retval());
            assertEquals(64, run.dataOut().length);
        } finally {
            KernelBpf.close(fd);
        }
    }

    @Test
    void rejectionCarriesTheVerifierLog() {
        BpfException e = assertThrows(BpfException.class, () -> KernelBpf.progLoad(
                new KernelBpf.ProgLoad(ProgramType.XDP, Assembler.assemble("mov %r1, 0\nexit"), "GPL", 0, 1)));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.log().contains("R0 !read_ok"), e.log());
    }

    @Test
    void mapsKeepValues() {
        int fd = KernelBpf.mapCreate(MapType.HASH, 4, 8, 4, 0, 0, "t");
        try {
            byte[] k = {1, 0, 0, 0};
            KernelBpf.mapUpdate(fd, k, new byte[] {7, 0, 0, 0, 0, 0, 0, 0}, MapFlags.NOEXIST);
            assertArrayEquals(new byte[] {7, 0, 0, 0, 0, 0, 0, 0}, KernelBpf.mapLookup(fd, k, 8).orElseThrow());
            assertEquals(Errno.EEXIST, assertThrows(BpfException.class, () -> KernelBpf.mapUpdate(fd, k, new byte[8], MapFlags.NOEXIST)).errno());
            assertTrue(KernelBpf.mapDelete(fd, k));
            assertTrue(KernelBpf.mapLookup(fd, k, 8).isEmpty());
        } finally {
            KernelBpf.close(fd);
        }
    }

    @Test
    void refusesBadMapSpecsLikeTheKernelDoes() {
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> KernelBpf.mapCreate(MapType.ARRAY, 8, 8, 4, 0, 0, "bad")).errno());
        assertTrue(List.of(Errno.EINVAL).contains(
                assertThrows(BpfException.class, () -> KernelBpf.mapCreate(MapType.RINGBUF, 0, 0, 1000, 0, 0, "rb")).errno()));
    }
}
