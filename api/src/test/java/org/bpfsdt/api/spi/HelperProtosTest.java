package org.bpfsdt.api.spi;

import static org.junit.jupiter.api.Assertions.*;

import java.util.function.IntFunction;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.ProgramType;
import org.junit.jupiter.api.Test;

class HelperProtosTest {
    @Test
    void mapLookupLikeTheKernel() {
        HelperProto p = HelperProtos.of(HelperId.MAP_LOOKUP_ELEM);
        assertEquals(RetType.PTR_TO_MAP_VALUE_OR_NULL, p.ret());
        assertEquals(ArgType.CONST_MAP_PTR, p.arg(0));
        assertEquals(ArgType.PTR_TO_MAP_KEY, p.arg(1));
        assertEquals(ArgType.DONTCARE, p.arg(2));
        assertTrue(p.pktAccess(), "map helpers take keys in packets");
    }

    @Test
    void helpersOfferedPerProgramType() {
        IntFunction<HelperProto> xdp = HelperProtos.forProgramType(ProgramType.XDP);
        IntFunction<HelperProto> tc = HelperProtos.forProgramType(ProgramType.SCHED_CLS);
        assertNotNull(xdp.apply(HelperId.XDP_ADJUST_HEAD.id()));
        assertTrue(xdp.apply(HelperId.XDP_ADJUST_HEAD.id()).changesPacket());
        assertNull(xdp.apply(HelperId.SKB_LOAD_BYTES.id()));
        assertNotNull(tc.apply(HelperId.SKB_LOAD_BYTES.id()));
        assertNull(tc.apply(HelperId.XDP_ADJUST_HEAD.id()));
        for (ProgramType t : new ProgramType[] {ProgramType.XDP, ProgramType.SCHED_CLS, ProgramType.SOCKET_FILTER, ProgramType.TRACING}) {
            assertNotNull(HelperProtos.forProgramType(t).apply(HelperId.RINGBUF_RESERVE.id()), t + " has the base helpers");
        }
        assertNull(xdp.apply(100_000), "numbers the kernel does not have");
        assertTrue(HelperProtos.of(HelperId.TRACE_PRINTK).gplOnly());
    }

    @Test
    void everyHelperTheRuntimeOffersHasAPrototype() {
        for (HelperId id : new HelperId[] {HelperId.MAP_LOOKUP_ELEM, HelperId.MAP_UPDATE_ELEM, HelperId.MAP_DELETE_ELEM, HelperId.MAP_PUSH_ELEM,
                HelperId.MAP_POP_ELEM, HelperId.MAP_PEEK_ELEM, HelperId.KTIME_GET_NS, HelperId.KTIME_GET_BOOT_NS, HelperId.TRACE_PRINTK,
                HelperId.GET_PRANDOM_U32, HelperId.GET_SMP_PROCESSOR_ID, HelperId.TAIL_CALL, HelperId.RINGBUF_OUTPUT, HelperId.RINGBUF_RESERVE,
                HelperId.RINGBUF_SUBMIT, HelperId.RINGBUF_DISCARD, HelperId.RINGBUF_QUERY, HelperId.SPIN_LOCK, HelperId.SPIN_UNLOCK, HelperId.LOOP,
                HelperId.XDP_ADJUST_HEAD, HelperId.XDP_ADJUST_TAIL, HelperId.XDP_GET_BUFF_LEN, HelperId.SKB_LOAD_BYTES}) {
            assertNotNull(HelperProtos.of(id), id.cName());
            assertEquals(id, HelperProtos.of(id).id());
        }
    }
}
