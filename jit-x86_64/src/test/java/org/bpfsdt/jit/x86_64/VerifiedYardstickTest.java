package org.bpfsdt.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.HelperProtos;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.core.interp.DecodedProgram;
import org.bpfsdt.core.interp.HelperTable;
import org.bpfsdt.core.interp.Interpreter;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.verifier.BpfVerifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The yardsticks that need no maps, verified by the verifier (context accesses rewritten to the
 * native {@code xdp_buff}, the verifier's facts in the aux data) and compiled from its output:
 * the JIT returns what the kernel returns (the yardstick README) and what the interpreter
 * returns on the same rewritten program, over a native XDP context.
 */
class VerifiedYardstickTest {

    /** A verified program over a native XDP context for one packet. */
    static final class VerifiedXdp implements AutoCloseable {
        final List<Insn> xlated;
        final JitRequest request;
        final Arena arena = Arena.ofConfined();
        final MemorySegment ctx;

        VerifiedXdp(String object, String program, String input) throws IOException {
            Path bench = Path.of(System.getProperty("bpfsdt.shared", "../../shared")).resolve("bench");
            List<Insn> insns = ObjectFile.open(bench.resolve("progs").resolve(object)).program(program).instructions();
            VerifierResult v = new BpfVerifier().verify(new VerifierRequest(ProgramType.XDP, null, insns, List.of(), null, List.of(),
                    List.of(), HelperProtos.forProgramType(ProgramType.XDP), ContextLayouts.forType(ProgramType.XDP, 6), null, 0,
                    List.of(), true, 0));
            xlated = v.insns();
            request = new JitRequest(program, ProgramType.XDP, v.insns(), v.aux(), v.subprogs(), id -> 0, List.of(), null);
            byte[] packet = Files.readAllBytes(bench.resolve("inputs").resolve(input));
            int headroom = 256;
            MemorySegment frame = arena.allocate(headroom + packet.length, 64);
            MemorySegment.copy(packet, 0, frame, ValueLayout.JAVA_BYTE, headroom, packet.length);
            long data = frame.address() + headroom;
            ctx = arena.allocate(ContextLayouts.XDP_NATIVE_SIZE, 8);
            ctx.set(ValueLayout.JAVA_LONG, ContextLayouts.XDP_DATA, data);
            ctx.set(ValueLayout.JAVA_LONG, ContextLayouts.XDP_DATA_END, data + packet.length);
            ctx.set(ValueLayout.JAVA_LONG, ContextLayouts.XDP_DATA_META, data);
            ctx.set(ValueLayout.JAVA_LONG, ContextLayouts.XDP_DATA_HARD_START, frame.address());
            ctx.set(ValueLayout.JAVA_LONG, ContextLayouts.XDP_DATA_HARD_END, frame.address() + frame.byteSize());
            ctx.set(ValueLayout.JAVA_INT, ContextLayouts.XDP_INGRESS_IFINDEX, 1);
            ctx.set(ValueLayout.JAVA_INT, ContextLayouts.XDP_FRAME_SZ, (int) frame.byteSize());
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    @ParameterizedTest
    @CsvSource({"xdp_parse.o,xdp_parse,pkt_tcp4.bin,1", "xdp_fnv.o,xdp_fnv,pkt_fnv.bin,197",
        "compute_primes.o,compute_primes,pkt_tcp4.bin,168", "sdt_like.o,sdt_like,pkt_tcp4.bin,2",
        "sdt_like.o,sdt_like_noprobe,pkt_tcp4.bin,2"})
    void theJitReturnsWhatTheKernelAndTheInterpreterReturn(String object, String program, String input, long retval) throws Throwable {
        X86JitCompiler jit = new X86JitCompiler();
        try (VerifiedXdp p = new VerifiedXdp(object, program, input); JitImage image = jit.compile(p.request)) {
            long r0 = (long) image.entry().invokeExact(p.ctx.address());
            assertEquals(retval, r0, "the kernel's result");
            Interpreter interpreter = new Interpreter(null);
            long interpreted = interpreter.run(interpreter.newState(0), DecodedProgram.decode(p.xlated, new HelperTable(), false, 0, program),
                    p.ctx.address(), 0);
            assertEquals(interpreted, r0, "the interpreter's result");
            assertEquals(retval, (long) image.batchEntry().invokeExact(p.ctx.address(), 1000L), "and after 1000 runs");
        }
    }
}
