package org.bpfsdt.core.helpers;

import static org.bpfsdt.api.spi.ArgType.*;

import java.util.EnumMap;
import java.util.Map;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.spi.HelperProto;
import org.bpfsdt.api.spi.RetType;

/** TEMPORARY until org.bpfsdt.api.spi.HelperProtos lands on main: the prototypes of the helpers registered here. */
final class Protos {
    private Protos() {
    }

    private static final Map<HelperId, HelperProto> ALL = new EnumMap<>(HelperId.class);

    static {
        put(HelperProto.of(HelperId.MAP_LOOKUP_ELEM, RetType.PTR_TO_MAP_VALUE_OR_NULL, CONST_MAP_PTR, PTR_TO_MAP_KEY));
        put(HelperProto.of(HelperId.MAP_UPDATE_ELEM, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, ANYTHING));
        put(HelperProto.of(HelperId.MAP_DELETE_ELEM, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_MAP_KEY));
        put(HelperProto.of(HelperId.MAP_PUSH_ELEM, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_MAP_VALUE, ANYTHING));
        put(HelperProto.of(HelperId.MAP_POP_ELEM, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_UNINIT_MAP_VALUE));
        put(HelperProto.of(HelperId.MAP_PEEK_ELEM, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_UNINIT_MAP_VALUE));
        put(HelperProto.of(HelperId.KTIME_GET_NS, RetType.INTEGER));
        put(HelperProto.of(HelperId.KTIME_GET_BOOT_NS, RetType.INTEGER));
        put(HelperProto.of(HelperId.KTIME_GET_COARSE_NS, RetType.INTEGER));
        put(HelperProto.of(HelperId.KTIME_GET_TAI_NS, RetType.INTEGER));
        put(HelperProto.of(HelperId.TRACE_PRINTK, RetType.INTEGER, PTR_TO_MEM, CONST_SIZE).gpl());
        put(HelperProto.of(HelperId.GET_PRANDOM_U32, RetType.INTEGER));
        put(HelperProto.of(HelperId.GET_SMP_PROCESSOR_ID, RetType.INTEGER));
        put(HelperProto.of(HelperId.TAIL_CALL, RetType.VOID, PTR_TO_CTX, CONST_MAP_PTR, ANYTHING));
        put(HelperProto.of(HelperId.LOOP, RetType.INTEGER, ANYTHING, PTR_TO_FUNC, PTR_TO_STACK_OR_NULL, ANYTHING));
        put(HelperProto.of(HelperId.XDP_ADJUST_HEAD, RetType.INTEGER, PTR_TO_CTX, ANYTHING).changingPacket());
        put(HelperProto.of(HelperId.XDP_ADJUST_TAIL, RetType.INTEGER, PTR_TO_CTX, ANYTHING).changingPacket());
        put(HelperProto.of(HelperId.XDP_ADJUST_META, RetType.INTEGER, PTR_TO_CTX, ANYTHING).changingPacket());
        put(HelperProto.of(HelperId.XDP_GET_BUFF_LEN, RetType.INTEGER, PTR_TO_CTX));
        put(HelperProto.of(HelperId.XDP_LOAD_BYTES, RetType.INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_UNINIT_MEM, CONST_SIZE));
        put(HelperProto.of(HelperId.XDP_STORE_BYTES, RetType.INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_MEM, CONST_SIZE));
        put(new HelperProto(HelperId.SKB_LOAD_BYTES, RetType.INTEGER, java.util.List.of(PTR_TO_CTX, ANYTHING, PTR_TO_UNINIT_MEM, CONST_SIZE),
                false, true, false));
        put(HelperProto.of(HelperId.PROBE_READ_KERNEL, RetType.INTEGER, PTR_TO_UNINIT_MEM, CONST_SIZE_OR_ZERO, ANYTHING).gpl());
        put(HelperProto.of(HelperId.PROBE_READ_KERNEL_STR, RetType.INTEGER, PTR_TO_UNINIT_MEM, CONST_SIZE_OR_ZERO, ANYTHING).gpl());
    }

    private static void put(HelperProto p) {
        ALL.put(p.id(), p);
    }

    static HelperProto of(HelperId id) {
        HelperProto p = ALL.get(id);
        if (p == null) {
            throw new IllegalStateException("no prototype for " + id.cName());
        }
        return p;
    }
}
