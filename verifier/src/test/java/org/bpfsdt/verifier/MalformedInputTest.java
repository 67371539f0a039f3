package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.VerifierRequest;
import org.junit.jupiter.api.Test;

/** Malformed and mutated programs never crash the verifier: each is accepted or gets a BpfException with a reason. */
class MalformedInputTest {
    private final BpfVerifier verifier = new BpfVerifier();

    private void verifyQuietly(VerifierRequest req, String what) {
        try {
            verifier.verify(req);
        } catch (BpfException e) {
            assertNotEquals(Errno.EFAULT, e.errno(), () -> what + ": internal error " + e.getMessage() + "\n" + e.log());
            assertFalse(e.reason().isBlank(), what);
        }
    }

    @Test
    void mutatedCorpusProgramsGetVerdicts() {
        Random rnd = new Random(99);
        // the budget-exhausting loop would make this test about time rather than input
        List<Corpus> corpus = Corpus.all().stream().filter(c -> c.errno() != Errno.E2BIG).toList();
        for (int i = 0; i < 20_000; i++) {
            Corpus c = corpus.get(rnd.nextInt(corpus.size()));
            List<Insn> insns = new ArrayList<>(c.insns());
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                int at = rnd.nextInt(insns.size());
                long w = insns.get(at).encode() ^ (1L << rnd.nextInt(64));
                insns.set(at, Insn.decode(w));
            }
            VerifierRequest r = c.request(1);
            // every 50th with a full log, which must survive whatever the program is
            VerifierRequest mutated = new VerifierRequest(r.type(), r.attachType(), insns, r.maps(), null, List.of(), List.of(), r.helpers(),
                    r.context(), null, 0, List.of(), true, i % 50 == 0 ? 2 : 0);
            verifyQuietly(mutated, c + " mutated #" + i);
        }
    }

    @Test
    void randomWordsGetVerdicts() {
        Random rnd = new Random(7);
        Corpus base = Corpus.all().get(0);
        for (int i = 0; i < 20_000; i++) {
            List<Insn> insns = new ArrayList<>();
            int n = 1 + rnd.nextInt(12);
            for (int k = 0; k < n; k++) {
                insns.add(Insn.decode(rnd.nextLong()));
            }
            VerifierRequest r = base.request(0);
            verifyQuietly(new VerifierRequest(r.type(), null, insns, r.maps(), null, List.of(), List.of(), r.helpers(), r.context(), null, 0,
                    List.of(), true, i % 50 == 0 ? 2 : 0), "random program #" + i);
        }
    }

    @Test
    void tooManyInstructionsIsE2big() {
        Corpus base = Corpus.all().get(0);
        VerifierRequest r = base.request(0);
        List<Insn> huge = new ArrayList<>(java.util.Collections.nCopies(1_000_001, Insn.mov64Imm(0, 0)));
        huge.set(huge.size() - 1, Insn.exit());
        BpfException e = assertThrows(BpfException.class, () -> verifier.verify(new VerifierRequest(r.type(), null, huge, r.maps(), null,
                List.of(), List.of(), r.helpers(), r.context(), null, 0, List.of(), true, 0)));
        assertEquals(Errno.E2BIG, e.errno());
    }

    @Test
    void emptyProgramIsRefused() {
        Corpus base = Corpus.all().get(0);
        VerifierRequest r = base.request(0);
        BpfException e = assertThrows(BpfException.class, () -> verifier.verify(new VerifierRequest(r.type(), null, List.of(), r.maps(), null,
                List.of(), List.of(), r.helpers(), r.context(), null, 0, List.of(), true, 1)));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.reason().contains("empty"), e.reason());
    }
}
