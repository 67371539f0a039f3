package org.bpfsdt.api;

/**
 * The attributes of {@code BPF_PROG_TEST_RUN}.
 *
 * @param dataIn  packet data (XDP, TC, socket filter), or {@code null}
 * @param ctxIn   the context as the program sees it ({@code struct xdp_md}, {@code struct __sk_buff},
 *                the u64 arguments of a tracing program), or {@code null} for the type's default
 * @param repeat  how many times to run (0 and 1 both mean once); the duration is per run
 * @param flags   {@code BPF_F_TEST_*} flags
 */
public record TestRunSpec(byte[] dataIn, byte[] ctxIn, int repeat, int flags) {

    public static TestRunSpec data(byte[] data) {
        return new TestRunSpec(data, null, 1, 0);
    }

    public static TestRunSpec ctx(byte[] ctx) {
        return new TestRunSpec(null, ctx, 1, 0);
    }

    public TestRunSpec repeat(int n) {
        return new TestRunSpec(dataIn, ctxIn, n, flags);
    }
}
