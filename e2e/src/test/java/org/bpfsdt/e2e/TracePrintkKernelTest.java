package org.bpfsdt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.core.runtime.ServiceLoaderRuntime;
import org.bpfsdt.oracle.KernelBpf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code bpf_trace_printk} against the kernel: each format, with its arguments (numbers, or
 * pointers to a string or an address on the program's stack), returns the same length or errno
 * here and in the kernel, and, where the kernel's trace buffer can be read
 * ({@code /sys/kernel/tracing}), prints the same text.
 */
class TracePrintkKernelTest {
    private static final Path TRACE = Path.of("/sys/kernel/tracing/trace");
    /** A stack argument: the address of {@code "world"} on the program's stack. */
    private static final long STR = 0x7fff_5354_5200_0001L;
    /** A stack argument: the address of 16 bytes holding 10.0.0.1 then 2001:db8::1's tail. */
    private static final long ADDR = 0x7fff_4144_4400_0001L;

    private static CoreRuntime runtime;

    @BeforeAll
    static void start() {
        runtime = new ServiceLoaderRuntime();
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    record Case(String fmt, long... args) {
        String name() {
            return "\"" + fmt.replace("\n", "\\n").replace("\u0007", "\\a") + "\" " + Arrays.toString(args);
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("len=%d", 64),
                new Case("len=%d\n", 64),
                new Case("%d %u %x", -1, -1, -1),
                new Case("%ld %lu %lx", -1, -1, -1),
                new Case("%lld %llu %llX", Long.MIN_VALUE, -2, 0xabcdefL),
                new Case("%i %X", 0x80000000L, 0xbeef),
                new Case("[%5d] [%-5d] [%05d]", 42, 42, 42),
                new Case("[%05d] [%+d] [% d]", -42, 42, 42),
                new Case("[%08x] [%-8x] [%+u]", 0xbeef, 0xbeef, 7),
                new Case("%c%c%c", 'a', 'b', 'c'),
                new Case("[%5c] [%-5c]", 'x', 'y'),
                new Case("hello %s!", STR),
                new Case("[%-10s] [%10s]", STR, STR),
                new Case("%pks.", STR),
                new Case("%pI4 %pi4", ADDR, ADDR),
                new Case("%pI6", ADDR),
                new Case("%pi6", ADDR),
                new Case("%px %px", 0x1234, -1),
                new Case("%p %p", 0, -5),
                new Case("%ps %pS %pB", 0x1234, 0x1234, 0x1234),
                new Case("100%% done"),
                new Case("%500d%500d%500d", 1, 2, 3),
                new Case("%d %d %d %d", 1, 2, 3, 4),
                new Case("%f", 1),
                new Case("%hd", 1),
                new Case("%.2d", 1),
                new Case("%#x", 1),
                new Case("%sx", STR),
                new Case("%pZ", 1),
                new Case("%pI5", ADDR),
                new Case("trailing %"),
                new Case("bell \u0007"));
    }

    /** The program: the format (NUL-terminated) on the stack, "world" and an address below it, then bpf_trace_printk. */
    private static String program(Case c) {
        byte[] fmt = (c.fmt() + "\0").getBytes(StandardCharsets.ISO_8859_1);
        int fmtSlots = (fmt.length + 7) / 8;
        int fmtOff = 8 * fmtSlots;
        int strOff = fmtOff + 8;
        int addrOff = strOff + 16;
        StringBuilder asm = new StringBuilder();
        byte[] padded = Arrays.copyOf(fmt, 8 * fmtSlots);
        for (int i = 0; i < fmtSlots; i++) {
            store(asm, fmtOff - 8 * i, ByteBuffer.wrap(padded, 8 * i, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        }
        store(asm, strOff, ByteBuffer.wrap(Arrays.copyOf("world".getBytes(StandardCharsets.US_ASCII), 8)).order(ByteOrder.LITTLE_ENDIAN).getLong());
        byte[] addr = {10, 0, 0, 1, 0, 0, 0, 0, 0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 1};
        store(asm, addrOff, ByteBuffer.wrap(addr, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        store(asm, addrOff - 8, ByteBuffer.wrap(addr, 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        for (int i = 0; i < c.args().length && i < 3; i++) {
            long a = c.args()[i];
            int reg = 3 + i;
            if (a == STR || a == ADDR) {
                asm.append("mov %r").append(reg).append(", %r10\nadd %r").append(reg).append(", -").append(a == STR ? strOff : addrOff).append('\n');
            } else {
                asm.append("lddw %r").append(reg).append(", ").append(a).append('\n');
            }
        }
        asm.append("mov %r1, %r10\nadd %r1, -").append(fmtOff).append('\n');
        asm.append("mov %r2, ").append(fmt.length).append("\ncall 6\nexit\n");
        return asm.toString();
    }

    private static void store(StringBuilder asm, int below, long value) {
        asm.append("lddw %r1, ").append(value).append("\nstxdw [%r10-").append(below).append("], %r1\n");
    }

    @TestFactory
    Stream<DynamicTest> formatsPrintAsInTheKernel() {
        return ObjectRunTest.engines(runtime).stream().flatMap(engine -> cases().stream().map(c -> DynamicTest.dynamicTest(engine + ": " + c.name(), () -> {
            KernelBpf.Availability a = KernelBpf.availability();
            assumeTrue(a.available(), a.reason());
            String asm = program(c);
            boolean readable = traceReadable();
            int fd = KernelBpf.progLoad(new KernelBpf.ProgLoad(ProgramType.XDP, Assembler.assemble(asm), "GPL", 0, 1));
            long kernelRet;
            List<String> kernelText;
            try {
                clearTrace(readable);
                kernelRet = Integer.toUnsignedLong(KernelBpf.testRun(fd, new byte[64], null, 1, 4096).retval());
                kernelText = traceLines(readable);
            } finally {
                KernelBpf.close(fd);
            }
            try (BpfProgram p = runtime.progLoad(ProgSpec.builder(ProgramType.XDP, Assembler.assemble(asm)).name("printk").license("GPL")
                    .engine(engine).build())) {
                runtime.tracePipe().drain();
                long ret = p.testRun(TestRunSpec.data(new byte[64])).retval();
                List<String> ours = runtime.tracePipe().drain().stream().map(TracePipe.Line::text).toList();
                assertEquals(kernelRet, ret, "return value");
                // (no case prints a hashed %p: its key differs between the kernel and here)
                if (readable) {
                    // a record's final newline ends the kernel's trace line (and leaves an empty one), and ends ours
                    assertEquals(kernelText, ours, "text");
                }
            }
        })));
    }

    /** Whether the kernel's trace buffer can be read (tracefs mounted, or mountable as root). */
    private static boolean traceReadable() {
        if (Files.isReadable(TRACE)) {
            return true;
        }
        try {
            Process p = new ProcessBuilder("mount", "-t", "tracefs", "nodev", TRACE.getParent().toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 && Files.isReadable(TRACE);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void clearTrace(boolean readable) throws IOException {
        if (readable) {
            Files.writeString(TRACE, "");
        }
    }

    /** The texts of the kernel's bpf_trace_printk records. */
    private static List<String> traceLines(boolean readable) throws IOException {
        List<String> out = new ArrayList<>();
        if (!readable) {
            return out;
        }
        String marker = "bpf_trace_printk: ";
        for (String line : Files.readAllLines(TRACE, StandardCharsets.ISO_8859_1)) {
            int at = line.indexOf(marker);
            if (!line.startsWith("#") && at >= 0) {
                out.add(line.substring(at + marker.length()));
            }
        }
        return out;
    }
}
