package org.bpfsdt.api.spi;

import java.util.List;

import org.bpfsdt.api.HelperId;

/**
 * A helper's prototype, as the kernel's {@code struct bpf_func_proto}: what the verifier checks
 * before a call and assumes after it. The runtime publishes one per helper it implements.
 *
 * @param id        the helper
 * @param ret       the return type
 * @param args      argument types of r1..r5 (trailing {@link ArgType#DONTCARE} may be omitted)
 * @param gplOnly   callable only from GPL-compatible programs
 * @param pktAccess may touch packet data (invalidates packet pointers when it changes the packet)
 * @param changesPacket changes packet data or its bounds (xdp_adjust_head...): packet pointers are invalid after it
 */
public record HelperProto(HelperId id, RetType ret, List<ArgType> args, boolean gplOnly, boolean pktAccess, boolean changesPacket) {
    public HelperProto {
        if (args.size() > 5) {
            throw new IllegalArgumentException("a helper takes at most 5 arguments");
        }
        args = List.copyOf(args);
    }

    public static HelperProto of(HelperId id, RetType ret, ArgType... args) {
        return new HelperProto(id, ret, List.of(args), false, false, false);
    }

    public HelperProto gpl() {
        return new HelperProto(id, ret, args, true, pktAccess, changesPacket);
    }

    /** This prototype allowing packet pointers as memory arguments (the kernel's {@code pkt_access}). */
    public HelperProto withPacketAccess() {
        return new HelperProto(id, ret, args, gplOnly, true, changesPacket);
    }

    public HelperProto changingPacket() {
        return new HelperProto(id, ret, args, gplOnly, true, true);
    }

    /** The type of argument {@code i} (0-based), {@link ArgType#DONTCARE} past the declared ones. */
    public ArgType arg(int i) {
        return i < args.size() ? args.get(i) : ArgType.DONTCARE;
    }
}
