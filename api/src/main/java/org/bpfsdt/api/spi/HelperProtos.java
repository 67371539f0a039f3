package org.bpfsdt.api.spi;

import static org.bpfsdt.api.spi.ArgType.*;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.ProgramType;

/**
 * The standard helper prototypes, as the kernel's {@code bpf_func_proto}s, and which program
 * types may call which helper (the kernel's {@code *_func_proto()} per program type). The runtime
 * offers exactly these; the verifier checks calls against them.
 */
public final class HelperProtos {
    private HelperProtos() {
    }

    private static final Map<HelperId, HelperProto> ALL = build();

    /** Helpers every program type may call ({@code bpf_base_func_proto}). */
    private static final Set<HelperId> BASE = EnumSet.of(
            HelperId.MAP_LOOKUP_ELEM, HelperId.MAP_UPDATE_ELEM, HelperId.MAP_DELETE_ELEM,
            HelperId.MAP_PUSH_ELEM, HelperId.MAP_POP_ELEM, HelperId.MAP_PEEK_ELEM,
            HelperId.KTIME_GET_NS, HelperId.KTIME_GET_BOOT_NS, HelperId.KTIME_GET_COARSE_NS, HelperId.KTIME_GET_TAI_NS,
            HelperId.JIFFIES64, HelperId.TRACE_PRINTK, HelperId.GET_PRANDOM_U32, HelperId.GET_SMP_PROCESSOR_ID,
            HelperId.GET_NUMA_NODE_ID, HelperId.TAIL_CALL, HelperId.RINGBUF_OUTPUT, HelperId.RINGBUF_RESERVE,
            HelperId.RINGBUF_SUBMIT, HelperId.RINGBUF_DISCARD, HelperId.RINGBUF_QUERY, HelperId.SPIN_LOCK,
            HelperId.SPIN_UNLOCK, HelperId.LOOP, HelperId.STRNCMP, HelperId.PROBE_READ_KERNEL,
            HelperId.PROBE_READ_KERNEL_STR, HelperId.GET_CURRENT_PID_TGID,
            HelperId.GET_CURRENT_UID_GID, HelperId.GET_CURRENT_COMM);

    private static final Set<HelperId> XDP = EnumSet.of(
            HelperId.XDP_ADJUST_HEAD, HelperId.XDP_ADJUST_TAIL, HelperId.XDP_ADJUST_META, HelperId.XDP_GET_BUFF_LEN,
            HelperId.XDP_LOAD_BYTES, HelperId.XDP_STORE_BYTES, HelperId.CSUM_DIFF, HelperId.REDIRECT);

    private static final Set<HelperId> SKB = EnumSet.of(
            HelperId.SKB_LOAD_BYTES, HelperId.CSUM_DIFF, HelperId.GET_HASH_RECALC);

    private static final Set<HelperId> TC = EnumSet.of(
            HelperId.SKB_STORE_BYTES, HelperId.REDIRECT, HelperId.SKB_PULL_DATA);

    private static final Set<HelperId> TRACING = EnumSet.of(
            HelperId.PROBE_READ_USER, HelperId.PROBE_READ_USER_STR, HelperId.XDP_GET_BUFF_LEN);

    private static Map<HelperId, HelperProto> build() {
        Map<HelperId, HelperProto> m = new EnumMap<>(HelperId.class);
        put(m, HelperProto.of(HelperId.MAP_LOOKUP_ELEM, RetType.PTR_TO_MAP_VALUE_OR_NULL, CONST_MAP_PTR, PTR_TO_MAP_KEY).withPacketAccess());
        put(m, HelperProto.of(HelperId.MAP_UPDATE_ELEM, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, ANYTHING).withPacketAccess());
        put(m, HelperProto.of(HelperId.MAP_DELETE_ELEM, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_MAP_KEY).withPacketAccess());
        put(m, HelperProto.of(HelperId.MAP_PUSH_ELEM, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_MAP_VALUE, ANYTHING).withPacketAccess());
        put(m, HelperProto.of(HelperId.MAP_POP_ELEM, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_UNINIT_MAP_VALUE).withPacketAccess());
        put(m, HelperProto.of(HelperId.MAP_PEEK_ELEM, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_UNINIT_MAP_VALUE).withPacketAccess());
        put(m, HelperProto.of(HelperId.KTIME_GET_NS, RetType.INTEGER));
        put(m, HelperProto.of(HelperId.KTIME_GET_BOOT_NS, RetType.INTEGER));
        put(m, HelperProto.of(HelperId.KTIME_GET_COARSE_NS, RetType.INTEGER));
        put(m, HelperProto.of(HelperId.KTIME_GET_TAI_NS, RetType.INTEGER));
        put(m, HelperProto.of(HelperId.JIFFIES64, RetType.INTEGER));
        put(m, HelperProto.of(HelperId.TRACE_PRINTK, RetType.INTEGER, PTR_TO_MEM, CONST_SIZE).gpl());
        put(m, HelperProto.of(HelperId.GET_PRANDOM_U32, RetType.INTEGER));
        put(m, HelperProto.of(HelperId.GET_SMP_PROCESSOR_ID, RetType.INTEGER));
        put(m, HelperProto.of(HelperId.GET_NUMA_NODE_ID, RetType.INTEGER));
        put(m, HelperProto.of(HelperId.TAIL_CALL, RetType.VOID, PTR_TO_CTX, CONST_MAP_PTR, ANYTHING));
        put(m, HelperProto.of(HelperId.RINGBUF_OUTPUT, RetType.INTEGER, CONST_MAP_PTR, PTR_TO_MEM, CONST_SIZE_OR_ZERO, ANYTHING));
        put(m, HelperProto.of(HelperId.RINGBUF_RESERVE, RetType.PTR_TO_ALLOC_MEM_OR_NULL, CONST_MAP_PTR, CONST_ALLOC_SIZE_OR_ZERO, ANYTHING));
        put(m, HelperProto.of(HelperId.RINGBUF_SUBMIT, RetType.VOID, PTR_TO_RINGBUF_MEM_RELEASE, ANYTHING));
        put(m, HelperProto.of(HelperId.RINGBUF_DISCARD, RetType.VOID, PTR_TO_RINGBUF_MEM_RELEASE, ANYTHING));
        put(m, HelperProto.of(HelperId.RINGBUF_QUERY, RetType.INTEGER, CONST_MAP_PTR, ANYTHING));
        put(m, HelperProto.of(HelperId.SPIN_LOCK, RetType.VOID, PTR_TO_SPIN_LOCK));
        put(m, HelperProto.of(HelperId.SPIN_UNLOCK, RetType.VOID, PTR_TO_SPIN_LOCK));
        put(m, HelperProto.of(HelperId.LOOP, RetType.INTEGER, ANYTHING, PTR_TO_FUNC, PTR_TO_STACK_OR_NULL, ANYTHING));
        put(m, HelperProto.of(HelperId.STRNCMP, RetType.INTEGER, PTR_TO_MEM, CONST_SIZE, PTR_TO_CONST_STR));
        put(m, HelperProto.of(HelperId.PROBE_READ_KERNEL, RetType.INTEGER, PTR_TO_UNINIT_MEM, CONST_SIZE_OR_ZERO, ANYTHING).gpl());
        put(m, HelperProto.of(HelperId.PROBE_READ_KERNEL_STR, RetType.INTEGER, PTR_TO_UNINIT_MEM, CONST_SIZE_OR_ZERO, ANYTHING).gpl());
        put(m, HelperProto.of(HelperId.PROBE_READ_USER, RetType.INTEGER, PTR_TO_UNINIT_MEM, CONST_SIZE_OR_ZERO, ANYTHING).gpl());
        put(m, HelperProto.of(HelperId.PROBE_READ_USER_STR, RetType.INTEGER, PTR_TO_UNINIT_MEM, CONST_SIZE_OR_ZERO, ANYTHING).gpl());
        put(m, HelperProto.of(HelperId.GET_CURRENT_PID_TGID, RetType.INTEGER));
        put(m, HelperProto.of(HelperId.GET_CURRENT_UID_GID, RetType.INTEGER));
        put(m, HelperProto.of(HelperId.GET_CURRENT_COMM, RetType.INTEGER, PTR_TO_UNINIT_MEM, CONST_SIZE));
        put(m, HelperProto.of(HelperId.XDP_ADJUST_HEAD, RetType.INTEGER, PTR_TO_CTX, ANYTHING).changingPacket());
        put(m, HelperProto.of(HelperId.XDP_ADJUST_TAIL, RetType.INTEGER, PTR_TO_CTX, ANYTHING).changingPacket());
        put(m, HelperProto.of(HelperId.XDP_ADJUST_META, RetType.INTEGER, PTR_TO_CTX, ANYTHING).changingPacket());
        put(m, HelperProto.of(HelperId.XDP_GET_BUFF_LEN, RetType.INTEGER, PTR_TO_CTX));
        put(m, HelperProto.of(HelperId.XDP_LOAD_BYTES, RetType.INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_UNINIT_MEM, CONST_SIZE));
        put(m, HelperProto.of(HelperId.XDP_STORE_BYTES, RetType.INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_MEM, CONST_SIZE));
        put(m, HelperProto.of(HelperId.CSUM_DIFF, RetType.INTEGER, PTR_TO_MEM_OR_NULL, CONST_SIZE_OR_ZERO, PTR_TO_MEM_OR_NULL,
                CONST_SIZE_OR_ZERO, ANYTHING).withPacketAccess());
        put(m, HelperProto.of(HelperId.REDIRECT, RetType.INTEGER, ANYTHING, ANYTHING));
        put(m, HelperProto.of(HelperId.SKB_LOAD_BYTES, RetType.INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_UNINIT_MEM, CONST_SIZE).withPacketAccess());
        put(m, HelperProto.of(HelperId.SKB_STORE_BYTES, RetType.INTEGER, PTR_TO_CTX, ANYTHING, PTR_TO_MEM, CONST_SIZE, ANYTHING).changingPacket());
        put(m, HelperProto.of(HelperId.SKB_PULL_DATA, RetType.INTEGER, PTR_TO_CTX, ANYTHING).changingPacket());
        put(m, HelperProto.of(HelperId.GET_HASH_RECALC, RetType.INTEGER, PTR_TO_CTX));
        return Collections.unmodifiableMap(m);
    }

    private static void put(Map<HelperId, HelperProto> m, HelperProto p) {
        m.put(p.id(), p);
    }

    /** Every standard prototype, by helper. */
    public static Map<HelperId, HelperProto> all() {
        return ALL;
    }

    /** The standard prototype of {@code id}, or {@code null} when there is none. */
    public static HelperProto of(HelperId id) {
        return ALL.get(id);
    }

    /** Whether programs of {@code type} may call {@code id}, as the kernel's per-type {@code get_func_proto}. */
    public static boolean allowed(ProgramType type, HelperId id) {
        if (BASE.contains(id)) {
            return true;
        }
        return switch (type) {
            case XDP -> XDP.contains(id);
            case SCHED_CLS, SCHED_ACT -> SKB.contains(id) || TC.contains(id);
            case SOCKET_FILTER -> SKB.contains(id);
            case TRACING, KPROBE, TRACEPOINT, RAW_TRACEPOINT -> TRACING.contains(id);
            default -> false;
        };
    }

    /** The prototypes programs of {@code type} may call, by helper number ({@code null}: not offered): what a {@link VerifierRequest} takes. */
    public static IntFunction<HelperProto> forProgramType(ProgramType type) {
        return number -> {
            HelperId id = HelperId.byId(number);
            return id != null && allowed(type, id) ? ALL.get(id) : null;
        };
    }
}
