package org.bpfsdt.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class GracePeriodsTest {

    @Test
    void withNoRunInProgressDeferredWorkRunsAtOnce() {
        try (GracePeriods g = new GracePeriods("t")) {
            AtomicBoolean done = new AtomicBoolean();
            g.defer(() -> done.set(true));
            assertTrue(done.get());
        }
    }

    @Test
    void deferredWorkWaitsForRunsThatStartedBefore() throws Exception {
        try (GracePeriods g = new GracePeriods("t")) {
            RunSlot slot = new RunSlot();
            g.register(slot);
            CountDownLatch inRun = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            CountDownLatch reclaimed = new CountDownLatch(1);
            Thread runner = Thread.ofPlatform().start(() -> {
                g.enter(slot);
                try {
                    inRun.countDown();
                    finish.await();
                } catch (InterruptedException ignored) {
                    // ends the run
                } finally {
                    g.exit(slot);
                }
            });
            inRun.await();
            g.defer(reclaimed::countDown);
            assertFalse(reclaimed.await(50, TimeUnit.MILLISECONDS), "reclaimed while a run that started before was in progress");
            assertEquals(1, g.pendingCount());
            finish.countDown();
            assertTrue(reclaimed.await(1, TimeUnit.MINUTES), "reclaimed once the run finished");
            runner.join();
        }
    }

    @Test
    void synchronizeInsideARunIsRefused() {
        try (GracePeriods g = new GracePeriods("t")) {
            RunSlot slot = new RunSlot();
            g.register(slot);
            g.enter(slot);
            g.enter(slot);
            g.exit(slot);
            assertTrue(slot.inRun(), "nested runs count depth");
            assertThrows(IllegalStateException.class, () -> g.synchronize(slot));
            g.exit(slot);
            g.synchronize(slot);
        }
    }
}
