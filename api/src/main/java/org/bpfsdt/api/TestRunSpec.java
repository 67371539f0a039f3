package org.bpfsdt.api;

/**
 * The attributes of {@code BPF_PROG_TEST_RUN}.
 *
 * @param dataIn      packet data (XDP, TC, socket filter), or {@code null}
 * @param ctxIn       the context as the program sees it ({@code struct xdp_md}, {@code struct __sk_buff},
 *                    the u64 arguments of a tracing program), or {@code null} for the type's default
 * @param repeat      how many times to run (0 and 1 both mean once); the duration is per run
 * @param flags       {@code BPF_F_TEST_*} flags ({@link #F_RUN_ON_CPU}, {@link #F_XDP_LIVE_FRAMES}, {@link #F_SKB_CHECKSUM_COMPLETE})
 * @param dataSizeOut room for the packet after the run ({@code data_size_out}): 0 for no limit; a larger
 *                    packet fails the run with {@link Errno#ENOSPC}, as the kernel does
 * @param ctxSizeOut  room for the context after the run ({@code ctx_size_out}): 0 for no limit; else as {@code dataSizeOut}
 */
public record TestRunSpec(byte[] dataIn, byte[] ctxIn, int repeat, int flags, int dataSizeOut, int ctxSizeOut) {
    /** {@code BPF_F_TEST_RUN_ON_CPU}. */
    public static final int F_RUN_ON_CPU = 1;
    /** {@code BPF_F_TEST_XDP_LIVE_FRAMES}. */
    public static final int F_XDP_LIVE_FRAMES = 1 << 1;
    /** {@code BPF_F_TEST_SKB_CHECKSUM_COMPLETE}. */
    public static final int F_SKB_CHECKSUM_COMPLETE = 1 << 2;

    public TestRunSpec {
        if (dataSizeOut < 0 || ctxSizeOut < 0) {
            throw BpfException.einval("output sizes cannot be negative");
        }
    }

    public TestRunSpec(byte[] dataIn, byte[] ctxIn, int repeat, int flags) {
        this(dataIn, ctxIn, repeat, flags, 0, 0);
    }

    public static TestRunSpec data(byte[] data) {
        return new TestRunSpec(data, null, 1, 0);
    }

    public static TestRunSpec ctx(byte[] ctx) {
        return new TestRunSpec(null, ctx, 1, 0);
    }

    public TestRunSpec repeat(int n) {
        return new TestRunSpec(dataIn, ctxIn, n, flags, dataSizeOut, ctxSizeOut);
    }

    /** This run with {@code ctx} as the context. */
    public TestRunSpec withCtx(byte[] ctx) {
        return new TestRunSpec(dataIn, ctx, repeat, flags, dataSizeOut, ctxSizeOut);
    }

    public TestRunSpec withFlags(int f) {
        return new TestRunSpec(dataIn, ctxIn, repeat, f, dataSizeOut, ctxSizeOut);
    }

    /** This run with room for {@code dataBytes} of packet and {@code ctxBytes} of context after it (0: no limit). */
    public TestRunSpec withOutputSizes(int dataBytes, int ctxBytes) {
        return new TestRunSpec(dataIn, ctxIn, repeat, flags, dataBytes, ctxBytes);
    }
}
