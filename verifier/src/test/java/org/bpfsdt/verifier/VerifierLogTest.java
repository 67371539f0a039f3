package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.ServiceLoader;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.spi.Verifier;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.loader.ObjectFile;
import org.junit.jupiter.api.Test;

/** The log reads like the kernel's: instructions, register states, source lines, the failing path, the statistics. */
class VerifierLogTest {
    @Test
    void levelTwoShowsEveryInstructionWithStateAndSource() {
        ObjectFile obj = ObjectFile.open(Shared.dir().resolve("bench/progs/xdp_parse.o"));
        VerifierResult r = new BpfVerifier().verify(ObjectRequests.of(obj, obj.program("xdp_parse"), 2));
        String log = r.log();
        assertTrue(log.startsWith("0: R1=ctx() R10=fp0\n"), log.substring(0, 80));
        assertTrue(log.contains("; void *data_end = (void *)(long)ctx->data_end; @ xdp_parse.c:"), "source lines from line_info");
        assertTrue(log.contains("(61) r2 = *(u32 *)(r1 +4)"), "instructions in the kernel's notation");
        assertTrue(log.contains("R2=pkt_end()") || log.contains("=pkt_end()"), "register states after instructions");
        assertTrue(log.contains("\nfrom "), "branches explored later say where they come from");
        assertTrue(log.lines().reduce((a, b) -> b).orElseThrow().matches(
                "processed \\d+ insns \\(limit 1000000\\) max_states_per_insn \\d+ total_states \\d+ peak_states \\d+ mark_read 0"));
    }

    @Test
    void levelOneShowsTheFailingPathAndTheReason() {
        Corpus c = Corpus.all().stream().filter(p -> p.name().equals("read_one_past_checked_range")).findFirst().orElseThrow();
        BpfException e = assertThrows(BpfException.class, () -> new BpfVerifier().verify(c.request(1)));
        assertEquals(Errno.EACCES, e.errno());
        List<String> lines = e.log().lines().toList();
        assertEquals("5: (71) r0 = *(u8 *)(r2 +14)", lines.get(lines.size() - 4));
        assertEquals("invalid access to packet, off=14 size=1, R2(id=0,off=14,r=14)", lines.get(lines.size() - 3));
        assertEquals("R2 offset is outside of the packet", lines.get(lines.size() - 2));
        assertTrue(lines.get(lines.size() - 1).startsWith("processed 6 insns"));
        assertFalse(e.log().contains("from 4 to 7"), "level 1 keeps only the failing path");
        assertEquals("R2 offset is outside of the packet (insn 5: r0 = *(u8 *)(r2 +14))", e.reason(), "the reason names the instruction");
    }

    @Test
    void levelZeroKeepsNoLog() {
        Corpus c = Corpus.all().get(0);
        assertEquals("", new BpfVerifier().verify(c.request(0)).log());
    }

    @Test
    void scalarRangesPrintLikeTheKernel() {
        Corpus c = Corpus.all().stream().filter(p -> p.name().equals("and_mask_bounds_index")).findFirst().orElseThrow();
        String log = new BpfVerifier().verify(c.request(2)).log();
        assertTrue(log.contains("R1=scalar(smin=smin32=0,smax=umax=smax32=umax32=12,var_off=(0x0; 0xc))"), log);
    }

    @Test
    void theVerifierIsAServiceForServiceLoader() {
        Verifier v = ServiceLoader.load(Verifier.class).findFirst().orElseThrow();
        assertInstanceOf(BpfVerifier.class, v);
    }
}
