package org.bpfsdt.core.helpers;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.core.exec.Clocks;
import org.bpfsdt.core.interp.HelperTable;

/** The clocks: each helper reads the kernel clock its kernel counterpart reads. */
final class TimeHelpers {
    private TimeHelpers() {
    }

    static void register(HelperTable t) {
        t.register(StandardHelpers.proto(HelperId.KTIME_GET_NS), (st, a1, a2, a3, a4, a5) -> Clocks.nanos(Clocks.MONOTONIC, st.scratch()));
        t.register(StandardHelpers.proto(HelperId.KTIME_GET_BOOT_NS), (st, a1, a2, a3, a4, a5) -> Clocks.nanos(Clocks.BOOTTIME, st.scratch()));
        t.register(StandardHelpers.proto(HelperId.KTIME_GET_COARSE_NS),
                (st, a1, a2, a3, a4, a5) -> Clocks.nanos(Clocks.MONOTONIC_COARSE, st.scratch()));
        t.register(StandardHelpers.proto(HelperId.KTIME_GET_TAI_NS), (st, a1, a2, a3, a4, a5) -> Clocks.nanos(Clocks.TAI, st.scratch()));
    }
}
