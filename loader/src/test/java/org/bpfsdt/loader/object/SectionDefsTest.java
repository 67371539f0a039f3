package org.bpfsdt.loader.object;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.ProgramType;
import org.junit.jupiter.api.Test;

/** libbpf's SEC() matching rules: exact names, and "type+" with an optional "/target". */
class SectionDefsTest {

    private static ProgramKind kind(String sec) {
        return SectionDefs.kindOf(sec).orElseThrow(() -> new AssertionError("no kind for " + sec));
    }

    @Test
    void networkingSections() {
        assertEquals(new ProgramKind(ProgramType.XDP, AttachType.XDP, "", 0), kind("xdp"));
        assertEquals(ProgramKind.BPF_F_XDP_HAS_FRAGS, kind("xdp.frags").progFlags());
        assertEquals(AttachType.XDP_DEVMAP, kind("xdp/devmap").attachType());
        assertEquals(new ProgramKind(ProgramType.SCHED_CLS, null, "", 0), kind("tc"));
        assertEquals(ProgramType.SCHED_CLS, kind("classifier").type());
        assertEquals(AttachType.TCX_INGRESS, kind("tcx/ingress").attachType());
        assertEquals(AttachType.TCX_EGRESS, kind("tc/egress").attachType());
        assertEquals(ProgramType.SOCKET_FILTER, kind("socket").type());
        assertEquals(AttachType.CGROUP_INET_INGRESS, kind("cgroup_skb/ingress").attachType());
    }

    @Test
    void tracingSectionsCarryTheirTarget() {
        assertEquals(new ProgramKind(ProgramType.TRACING, AttachType.TRACE_SDT, "probe_len_ret", 0), kind("bpf_sdt/probe_len_ret"));
        assertEquals(new ProgramKind(ProgramType.TRACING, AttachType.TRACE_SDT, "", 0), kind("bpf_sdt"));
        assertEquals(new ProgramKind(ProgramType.TRACING, AttachType.TRACE_FENTRY, "do_thing", 0), kind("fentry/do_thing"));
        assertEquals(AttachType.TRACE_FEXIT, kind("fexit/do_thing").attachType());
        assertEquals(ProgramKind.BPF_F_SLEEPABLE, kind("fentry.s/do_thing").progFlags());
        assertEquals(AttachType.TRACE_RAW_TP, kind("tp_btf/sched_switch").attachType());
        assertEquals(ProgramType.RAW_TRACEPOINT, kind("raw_tp/sched_switch").type());
        assertEquals("syscalls/sys_enter_openat", kind("tracepoint/syscalls/sys_enter_openat").attachTarget());
        assertEquals(ProgramType.TRACEPOINT, kind("tp/syscalls/sys_enter_openat").type());
        assertEquals(ProgramType.KPROBE, kind("kprobe/do_unlinkat").type());
        assertEquals(ProgramType.PERF_EVENT, kind("perf_event").type());
    }

    @Test
    void lookAlikesDoNotMatch() {
        assertTrue(SectionDefs.kindOf("xdpfoo").isEmpty(), "exact names need an exact match");
        assertTrue(SectionDefs.kindOf("fentryx").isEmpty(), "'+' needs the name or a '/'");
        assertTrue(SectionDefs.kindOf("tc/unknown").isEmpty());
        assertTrue(SectionDefs.kindOf(".text").isEmpty());
    }
}
