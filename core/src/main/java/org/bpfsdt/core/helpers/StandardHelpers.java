package org.bpfsdt.core.helpers;

import org.bpfsdt.core.interp.HelperTable;

/** The helpers every runtime offers, with the kernel's numbers, prototypes and semantics. */
public final class StandardHelpers {
    private StandardHelpers() {
    }

    /** Registers every standard helper in {@code table}; {@code rt} is the runtime they serve. */
    public static void registerAll(HelperTable table, HelperRuntime rt) {
        MapHelpers.register(table, rt);
        TimeHelpers.register(table);
        TracePrintk.register(table, rt);
        MiscHelpers.register(table);
        XdpHelpers.register(table);
        SkbHelpers.register(table);
    }
}
