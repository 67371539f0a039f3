package org.bpfsdt.core.helpers;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.spi.HelperProto;
import org.bpfsdt.api.spi.HelperProtos;
import org.bpfsdt.core.interp.HelperTable;

/**
 * The helpers every runtime offers, with the kernel's numbers, prototypes
 * ({@link HelperProtos}) and semantics. Of the standard prototypes, two are not offered:
 * {@code bpf_jiffies64} (user space cannot know the kernel's tick rate) and
 * {@code bpf_get_hash_recalc} (it needs the kernel's flow dissector and its per-boot hash key).
 */
public final class StandardHelpers {
    private StandardHelpers() {
    }

    /** Registers every standard helper in {@code table}; {@code rt} is the runtime they serve. */
    public static void registerAll(HelperTable table, HelperRuntime rt) {
        MapHelpers.register(table, rt);
        RingBufHelpers.register(table, rt);
        TimeHelpers.register(table);
        TracePrintk.register(table, rt);
        MiscHelpers.register(table);
        TaskHelpers.register(table);
        XdpHelpers.register(table);
        SkbHelpers.register(table);
        PacketHelpers.register(table, rt);
    }

    /** The standard prototype of {@code id}. */
    static HelperProto proto(HelperId id) {
        HelperProto p = HelperProtos.of(id);
        if (p == null) {
            throw new IllegalStateException("HelperProtos has no prototype for " + id.cName());
        }
        return p;
    }
}
