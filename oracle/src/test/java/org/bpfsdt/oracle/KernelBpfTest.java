package org.bpfsdt.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfBuilder;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.btf.FuncInfo;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.loader.ObjectFile;
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

    /** With the program's BTF and func_info, the kernel verifies a global function on its own and says so in its log. */
    @Test
    void loadsAProgramWithItsBtf() {
        BtfBuilder b = new BtfBuilder();
        int intType = b.integer("int", 4, true);
        int mainProto = b.add(new BtfType.FuncProto(intType, List.of(new BtfType.Param("ctx", b.ptr(0)))));
        int main = b.add(new BtfType.Func("entry", mainProto, 1));
        int fProto = b.add(new BtfType.FuncProto(intType, List.of(new BtfType.Param("x", intType))));
        int f = b.add(new BtfType.Func("twice", fProto, 1));
        int btf = KernelBpf.btfLoad(KernelBtf.encode(b.build()));
        try {
            KernelBpf.ProgLoad load = new KernelBpf.ProgLoad(ProgramType.XDP,
                    Assembler.assemble("mov %r1, 21\ncall local twice\nexit\ntwice:\nmov %r0, %r1\nadd %r0, %r1\nexit"), "GPL", 0, 1);
            int[] fd = new int[1];
            String log = KernelBpf.progLoadLog(load, new KernelBpf.ProgBtf(btf, List.of(new FuncInfo(0, main), new FuncInfo(3, f))), fd);
            KernelBpf.close(fd[0]);
            assertTrue(log.contains("Func#1 ('twice') is safe for any args that match its prototype"), log);
        } finally {
            KernelBpf.close(btf);
        }
    }

    /** Clang's BTF of every kind, as the loader reads it, encodes into BTF the kernel accepts. */
    @Test
    void encodesEveryBtfKind() {
        Path obj = Path.of(System.getProperty("bpfsdt.root", ".."), "testprogs", "btf_kinds.o");
        assumeTrue(Files.isRegularFile(obj), obj + " not found");
        Btf btf = ObjectFile.open(obj).btf().orElseThrow();
        KernelBpf.close(KernelBpf.btfLoad(KernelBtf.encode(btf)));
    }

    @Test
    void refusesBadMapSpecsLikeTheKernelDoes() {
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> KernelBpf.mapCreate(MapType.ARRAY, 8, 8, 4, 0, 0, "bad")).errno());
        assertTrue(List.of(Errno.EINVAL).contains(
                assertThrows(BpfException.class, () -> KernelBpf.mapCreate(MapType.RINGBUF, 0, 0, 1000, 0, 0, "rb")).errno()));
    }
}
