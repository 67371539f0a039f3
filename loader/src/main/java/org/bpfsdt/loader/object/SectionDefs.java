package org.bpfsdt.loader.object;

import static org.bpfsdt.api.ProgramType.*;

import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.ProgramType;

/**
 * libbpf's {@code SEC()} conventions: a definition ending in {@code +} matches the name itself or
 * the name followed by {@code /target}; any other must match exactly. The first matching
 * definition wins, so more specific names come first. {@code bpf_sdt} (BPF SDT observers) is this
 * project's addition.
 */
public final class SectionDefs {
    private SectionDefs() {
    }

    private record Def(String pattern, ProgramType type, AttachType attach, int flags) {
        /** The attach target {@code sec} names under this definition ({@code ""} for none), or {@code null} when it does not match. */
        String target(String sec) {
            if (!pattern.endsWith("+")) {
                return sec.equals(pattern) ? "" : null;
            }
            String name = pattern.substring(0, pattern.length() - 1);
            if (sec.equals(name)) {
                return "";
            }
            return sec.startsWith(name + "/") ? sec.substring(name.length() + 1) : null;
        }
    }

    private static final int SLEEPABLE = ProgramKind.BPF_F_SLEEPABLE, FRAGS = ProgramKind.BPF_F_XDP_HAS_FRAGS;

    private static Def d(String pattern, ProgramType type, AttachType attach) {
        return new Def(pattern, type, attach, 0);
    }

    private static Def d(String pattern, ProgramType type, AttachType attach, int flags) {
        return new Def(pattern, type, attach, flags);
    }

    private static final List<Def> DEFS = List.of(
            d("socket", SOCKET_FILTER, null),
            d("sk_reuseport/migrate", SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE),
            d("sk_reuseport", SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT),
            d("kprobe+", KPROBE, null),
            d("uprobe+", KPROBE, null),
            d("uprobe.s+", KPROBE, null, SLEEPABLE),
            d("kretprobe+", KPROBE, null),
            d("uretprobe+", KPROBE, null),
            d("uretprobe.s+", KPROBE, null, SLEEPABLE),
            d("kprobe.multi+", KPROBE, AttachType.TRACE_KPROBE_MULTI),
            d("kretprobe.multi+", KPROBE, AttachType.TRACE_KPROBE_MULTI),
            d("uprobe.multi+", KPROBE, AttachType.TRACE_UPROBE_MULTI),
            d("uretprobe.multi+", KPROBE, AttachType.TRACE_UPROBE_MULTI),
            d("uprobe.multi.s+", KPROBE, AttachType.TRACE_UPROBE_MULTI, SLEEPABLE),
            d("uretprobe.multi.s+", KPROBE, AttachType.TRACE_UPROBE_MULTI, SLEEPABLE),
            d("ksyscall+", KPROBE, null),
            d("kretsyscall+", KPROBE, null),
            d("usdt+", KPROBE, null),
            d("usdt.s+", KPROBE, null, SLEEPABLE),
            d("tc/ingress", SCHED_CLS, AttachType.TCX_INGRESS),
            d("tc/egress", SCHED_CLS, AttachType.TCX_EGRESS),
            d("tcx/ingress", SCHED_CLS, AttachType.TCX_INGRESS),
            d("tcx/egress", SCHED_CLS, AttachType.TCX_EGRESS),
            d("tc", SCHED_CLS, null),
            d("classifier", SCHED_CLS, null),
            d("action", SCHED_ACT, null),
            d("tracepoint+", TRACEPOINT, null),
            d("tp+", TRACEPOINT, null),
            d("raw_tracepoint+", RAW_TRACEPOINT, null),
            d("raw_tp+", RAW_TRACEPOINT, null),
            d("raw_tracepoint.w+", RAW_TRACEPOINT_WRITABLE, null),
            d("raw_tp.w+", RAW_TRACEPOINT_WRITABLE, null),
            d("tp_btf+", TRACING, AttachType.TRACE_RAW_TP),
            d("fentry+", TRACING, AttachType.TRACE_FENTRY),
            d("fmod_ret+", TRACING, AttachType.MODIFY_RETURN),
            d("fexit+", TRACING, AttachType.TRACE_FEXIT),
            d("fentry.s+", TRACING, AttachType.TRACE_FENTRY, SLEEPABLE),
            d("fmod_ret.s+", TRACING, AttachType.MODIFY_RETURN, SLEEPABLE),
            d("fexit.s+", TRACING, AttachType.TRACE_FEXIT, SLEEPABLE),
            d("freplace+", EXT, null),
            d("lsm+", LSM, AttachType.LSM_MAC),
            d("lsm.s+", LSM, AttachType.LSM_MAC, SLEEPABLE),
            d("lsm_cgroup+", LSM, AttachType.LSM_CGROUP),
            d("iter+", TRACING, AttachType.TRACE_ITER),
            d("iter.s+", TRACING, AttachType.TRACE_ITER, SLEEPABLE),
            d("bpf_sdt+", TRACING, AttachType.TRACE_SDT),
            d("syscall", SYSCALL, null, SLEEPABLE),
            d("xdp.frags/devmap", XDP, AttachType.XDP_DEVMAP, FRAGS),
            d("xdp/devmap", XDP, AttachType.XDP_DEVMAP),
            d("xdp.frags/cpumap", XDP, AttachType.XDP_CPUMAP, FRAGS),
            d("xdp/cpumap", XDP, AttachType.XDP_CPUMAP),
            d("xdp.frags", XDP, AttachType.XDP, FRAGS),
            d("xdp", XDP, AttachType.XDP),
            d("perf_event", PERF_EVENT, null),
            d("lwt_in", LWT_IN, null),
            d("lwt_out", LWT_OUT, null),
            d("lwt_xmit", LWT_XMIT, null),
            d("lwt_seg6local", LWT_SEG6LOCAL, null),
            d("sockops", SOCK_OPS, AttachType.CGROUP_SOCK_OPS),
            d("sk_skb/stream_parser", SK_SKB, AttachType.SK_SKB_STREAM_PARSER),
            d("sk_skb/stream_verdict", SK_SKB, AttachType.SK_SKB_STREAM_VERDICT),
            d("sk_skb/verdict", SK_SKB, AttachType.SK_SKB_VERDICT),
            d("sk_skb", SK_SKB, null),
            d("sk_msg", SK_MSG, AttachType.SK_MSG_VERDICT),
            d("lirc_mode2", LIRC_MODE2, AttachType.LIRC_MODE2),
            d("flow_dissector", FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR),
            d("cgroup_skb/ingress", CGROUP_SKB, AttachType.CGROUP_INET_INGRESS),
            d("cgroup_skb/egress", CGROUP_SKB, AttachType.CGROUP_INET_EGRESS),
            d("cgroup/skb", CGROUP_SKB, null),
            d("cgroup/sock_create", CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE),
            d("cgroup/sock_release", CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_RELEASE),
            d("cgroup/sock", CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE),
            d("cgroup/post_bind4", CGROUP_SOCK, AttachType.CGROUP_INET4_POST_BIND),
            d("cgroup/post_bind6", CGROUP_SOCK, AttachType.CGROUP_INET6_POST_BIND),
            d("cgroup/bind4", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND),
            d("cgroup/bind6", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_BIND),
            d("cgroup/connect4", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT),
            d("cgroup/connect6", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_CONNECT),
            d("cgroup/sendmsg4", CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_SENDMSG),
            d("cgroup/sendmsg6", CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_SENDMSG),
            d("cgroup/recvmsg4", CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_RECVMSG),
            d("cgroup/recvmsg6", CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_RECVMSG),
            d("cgroup/getpeername4", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETPEERNAME),
            d("cgroup/getpeername6", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETPEERNAME),
            d("cgroup/getsockname4", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETSOCKNAME),
            d("cgroup/getsockname6", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETSOCKNAME),
            d("cgroup/sysctl", CGROUP_SYSCTL, AttachType.CGROUP_SYSCTL),
            d("cgroup/getsockopt", CGROUP_SOCKOPT, AttachType.CGROUP_GETSOCKOPT),
            d("cgroup/setsockopt", CGROUP_SOCKOPT, AttachType.CGROUP_SETSOCKOPT),
            d("cgroup/dev", CGROUP_DEVICE, AttachType.CGROUP_DEVICE),
            d("struct_ops+", STRUCT_OPS, null),
            d("struct_ops.s+", STRUCT_OPS, null, SLEEPABLE),
            d("sk_lookup", SK_LOOKUP, AttachType.SK_LOOKUP),
            d("netfilter", NETFILTER, AttachType.NETFILTER));

    /** What {@code secName} means, or empty when libbpf would not know it either. */
    public static Optional<ProgramKind> kindOf(String secName) {
        for (Def def : DEFS) {
            String target = def.target(secName);
            if (target != null) {
                return Optional.of(new ProgramKind(def.type(), def.attach(), target, def.flags()));
            }
        }
        return Optional.empty();
    }
}
