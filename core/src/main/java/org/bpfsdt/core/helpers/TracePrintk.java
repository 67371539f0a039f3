package org.bpfsdt.core.helpers;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.core.exec.Clocks;
import org.bpfsdt.core.exec.NativeMemory;
import org.bpfsdt.core.exec.SafeMemory;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.Helper;
import org.bpfsdt.core.interp.HelperTable;

/**
 * {@code long bpf_trace_printk(const char *fmt, u32 fmt_size, ...)}: formats up to three
 * arguments with the kernel's rules ({@link PrintkFormat}) and appends the text to the trace
 * pipe with the program's id, the thread's CPU and the boot-time clock. Returns the length of
 * the text, or a negative errno for a format the kernel refuses. A pipe line is a line: one
 * trailing newline of the text is not kept in it (the kernel's trace pipe ends every record
 * with one).
 */
final class TracePrintk implements Helper {
    private final HelperRuntime rt;
    /** Keys the hashing of {@code %p}, as the kernel's per-boot key. */
    private final long pointerKey = new SecureRandom().nextLong();

    private TracePrintk(HelperRuntime rt) {
        this.rt = rt;
    }

    static void register(HelperTable t, HelperRuntime rt) {
        t.register(StandardHelpers.proto(HelperId.TRACE_PRINTK), new TracePrintk(rt));
    }

    @Override
    public long call(ExecState st, long fmt, long fmtSize, long a1, long a2, long a3) {
        int size = (int) Math.min(fmtSize & 0xffffffffL, Integer.MAX_VALUE);
        byte[] bytes = MemorySegment.ofAddress(fmt).reinterpret(size).toArray(ValueLayout.JAVA_BYTE);
        PrintkFormat.Printed p = PrintkFormat.format(bytes, new long[] {a1, a2, a3}, pointerKey, new ThreadMemory(st.scratch()));
        if (p.error() < 0) {
            return p.error();
        }
        String text = p.text().endsWith("\n") ? p.text().substring(0, p.text().length() - 1) : p.text();
        rt.trace(new TracePipe.Line(st.programId(), st.cpu(), Clocks.nanos(Clocks.BOOTTIME, st.scratch()), text));
        return p.length();
    }

    /** Fault-tolerant reads through the thread's scratch memory. */
    private record ThreadMemory(long scratch) implements PrintkFormat.Memory {
        private long buffer() {
            return scratch + ExecState.SCRATCH_HEADER;
        }

        @Override
        public String string(long address, int max) {
            int n = SafeMemory.copyString(buffer(), address, Math.min(max, ExecState.SCRATCH_SIZE - ExecState.SCRATCH_HEADER), scratch);
            if (n < 0) {
                return null;
            }
            byte[] b = MemorySegment.ofAddress(buffer()).reinterpret(n - 1).toArray(ValueLayout.JAVA_BYTE);
            return new String(b, StandardCharsets.ISO_8859_1);
        }

        @Override
        public byte[] bytes(long address, int n) {
            if (!SafeMemory.copy(buffer(), address, n, scratch)) {
                return null;
            }
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) NativeMemory.u8(buffer() + i);
            }
            return b;
        }
    }
}
