package org.bpfsdt.core.context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.core.runtime.TestServices;

/** A runtime with the test verifier, and the yardstick packet, for the test-run context tests. */
final class TestRuns implements AutoCloseable {
    final CoreRuntime runtime = new CoreRuntime();
    final TestServices.FakeJit jit = new TestServices.FakeJit("x86_64", true, false);

    TestRuns() {
        runtime.addVerifier(new TestServices.AcceptAll(), Map.of());
    }

    /** Loads {@code asm} (written against the native context: the test verifier does not rewrite context accesses). */
    BpfProgram load(ProgramType type, String asm) {
        return runtime.progLoad(ProgSpec.builder(type, Assembler.assemble(asm)).name("t").license("GPL").build());
    }

    /** The 64-byte TCP/IPv4 frame of the yardstick programs (destination MAC 02:00:00:00:00:02). */
    static byte[] packet() {
        Path p = Path.of(System.getProperty("bpfsdt.shared", "../../shared"), "bench", "inputs", "pkt_tcp4.bin");
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] le32(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    static int u32(byte[] b, int off) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(off);
    }

    static List<String> engines() {
        return List.of("interpreter", "x86_64");
    }

    @Override
    public void close() {
        runtime.close();
    }
}
