package org.bpfsdt.core.helpers;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.spi.RingBufBackend;
import org.bpfsdt.core.interp.HelperTable;

/**
 * The ring buffer helpers on {@link RingBufBackend}. {@code bpf_ringbuf_submit} and
 * {@code discard} get only the sample: its header leads back to the ring's map id, as the
 * kernel's leads back to its ring.
 */
final class RingBufHelpers {
    private static final long EINVAL = -Errno.EINVAL.code();

    private RingBufHelpers() {
    }

    static void register(HelperTable t, HelperRuntime rt) {
        t.register(StandardHelpers.proto(HelperId.RINGBUF_OUTPUT), (st, map, data, size, flags, a5) ->
                rt.mapAt(map) instanceof RingBufBackend rb ? rb.output(data, size, flags) : EINVAL);
        t.register(StandardHelpers.proto(HelperId.RINGBUF_RESERVE), (st, map, size, flags, a4, a5) ->
                rt.mapAt(map) instanceof RingBufBackend rb ? rb.reserve(size, flags) : 0);
        t.register(StandardHelpers.proto(HelperId.RINGBUF_SUBMIT), (st, sample, flags, a3, a4, a5) -> {
            if (rt.mapById(RingBufBackend.mapIdOf(sample)) instanceof RingBufBackend rb) {
                rb.submit(sample, flags);
            }
            return 0;
        });
        t.register(StandardHelpers.proto(HelperId.RINGBUF_DISCARD), (st, sample, flags, a3, a4, a5) -> {
            if (rt.mapById(RingBufBackend.mapIdOf(sample)) instanceof RingBufBackend rb) {
                rb.discard(sample, flags);
            }
            return 0;
        });
        t.register(StandardHelpers.proto(HelperId.RINGBUF_QUERY), (st, map, flags, a3, a4, a5) ->
                rt.mapAt(map) instanceof RingBufBackend rb ? rb.query(flags) : 0);
    }
}
