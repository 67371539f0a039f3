package org.bpfsdt.verifier;

import static org.junit.jupiter.api.Assertions.*;

import java.util.stream.Stream;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.spi.VerifierResult;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every corpus program gets the verdict and, when rejected, the errno and message it documents. */
class CorpusTest {
    @TestFactory
    Stream<DynamicTest> corpus() {
        return Corpus.all().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> check(c)));
    }

    static void check(Corpus c) {
        BpfVerifier v = new BpfVerifier();
        if (c.accept()) {
            try {
                VerifierResult r = v.verify(c.request(1));
                assertTrue(r.processedInsns() > 0);
            } catch (BpfException e) {
                fail(c + " should be accepted but: " + e.getMessage() + "\n" + e.log());
            }
        } else {
            BpfException e = assertThrows(BpfException.class, () -> v.verify(c.request(1)), c + " should be rejected");
            assertEquals(c.errno(), e.errno(), c + ": " + e.getMessage() + "\n" + e.log());
            assertTrue(e.log().contains(c.message()), c + ": expected message '" + c.message() + "' but got: " + e.getMessage() + "\n" + e.log());
        }
    }

    @Test
    void corpusIsLargeEnough() {
        assertTrue(Corpus.all().size() >= 250, "the corpus has " + Corpus.all().size() + " programs");
    }
}
