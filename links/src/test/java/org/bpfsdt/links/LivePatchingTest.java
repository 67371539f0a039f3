package org.bpfsdt.links;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicReference;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfLink;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Live patching: two threads run the target ({@code testprogs/sdt_live.c}) ten million times in
 * all while a third attaches and detaches observers ({@code sdt_live_obs.c}) over and over.
 * Each run takes a sequence number before its probe and marks it done after; each observer call
 * sets the run's bit and counts a bit it finds set. Then: no run was seen twice, and every run
 * that started after an attach had completed and before its detach began was seen.
 */
class LivePatchingTest {
    private static final long RUNS = Long.getLong("bpfsdt.live.runs", 10_000_000L);
    private static final int CHUNK = 50_000;
    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    private final BpfRuntime rt = ServiceLoader.load(BpfRuntime.class).findFirst().orElseThrow();

    @AfterEach
    void close() {
        rt.close();
    }

    static List<String> engines() {
        return SdtLinkTest.engines();
    }

    /** A window in which an observer was attached: runs numbered {@code [from, to)} must all be seen. */
    private record Window(long from, long to) {
    }

    /** A global data section's live bytes and where one variable of it is. */
    private record Global(MemorySegment value, long offset) {
        static Global of(LoadedObject obj, String name) {
            var g = obj.global(name);
            return new Global(obj.map(g.section()).valueSegment(new byte[4]).orElseThrow(), g.offset());
        }

        long word(long index) {
            return (long) WORD.getVolatile(value, offset + 8 * index);
        }

        boolean bit(long seq) {
            return (word(seq >>> 6) & (1L << (seq & 63))) != 0;
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void observersComeAndGoWhileTwoThreadsRunTheTarget(String engine) throws Exception {
        ObjectFile targetObj = TestObjects.open("sdt_live.o");
        targetObj.programs().forEach(p -> p.setEngine(engine));
        try (LoadedObject target = targetObj.load(rt)) {
            BpfProgram t = target.program("live_target");
            ObjectFile obsObj = TestObjects.open("sdt_live_obs.o");
            obsObj.programs().forEach(p -> p.setEngine(engine).setAttachTarget(t, null));
            try (LoadedObject obs = obsObj.load(rt)) {
                List<BpfProgram> observers = List.of(obs.program("obs_live_a"), obs.program("obs_live_b"));
                Global runs = Global.of(target, "runs"), done = Global.of(target, "done_bits");
                Global seen = Global.of(obs, "seen_bits"), twice = Global.of(obs, "twice"), observed = Global.of(obs, "observed");
                byte[] packet = TestObjects.packet();
                AtomicReference<Throwable> failure = new AtomicReference<>();

                List<Thread> runners = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    runners.add(Thread.ofPlatform().name("runner-" + r).start(() -> {
                        try {
                            for (long left = RUNS / 2; left > 0; left -= CHUNK) {
                                t.testRun(TestRunSpec.data(packet).repeat((int) Math.min(CHUNK, left)));
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    }));
                }
                List<Window> windows = new ArrayList<>();
                int cycles = 0;
                long doneUpTo = 0;
                while (runners.stream().anyMatch(Thread::isAlive)) {
                    BpfLink link = rt.linkCreate(LinkSpec.of(observers.get(cycles++ % 2), AttachType.TRACE_SDT));
                    long from = runs.word(0);
                    // let the runners run through the attached probe for a while (a fifth of a millisecond)
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                    long to = runs.word(0);
                    // every run numbered below 'to' has passed its probe before the detach begins
                    while (doneUpTo < to && failure.get() == null) {
                        if ((doneUpTo & 63) == 0 && doneUpTo + 64 <= to && done.word(doneUpTo >>> 6) == -1L) {
                            doneUpTo += 64;
                        } else if (done.bit(doneUpTo)) {
                            doneUpTo++;
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                    link.close();
                    windows.add(new Window(from, to));
                }
                for (Thread th : runners) {
                    th.join();
                }
                if (failure.get() != null) {
                    throw new AssertionError("a run failed", failure.get());
                }

                assertEquals(RUNS, runs.word(0), "every run ran");
                assertEquals(0, twice.word(0), "no run was seen twice");
                long missed = 0, covered = 0;
                for (Window w : windows) {
                    for (long seq = w.from(); seq < w.to(); seq++) {
                        covered++;
                        if (!seen.bit(seq)) {
                            missed++;
                        }
                    }
                }
                assertEquals(0, missed, "runs missed inside attach windows (of " + covered + ")");
                long bits = 0;
                for (long i = 0; i < (RUNS + 63) / 64; i++) {
                    bits += Long.bitCount(seen.word(i));
                }
                assertEquals(bits, observed.word(0), "each call saw a run of its own");
                assertTrue(cycles > 10, "observers came and went " + cycles + " times");
                assertTrue(covered > 0 && bits < RUNS, "runs were both seen and unseen: " + bits + " of " + RUNS);
                System.out.printf("live patching on %s: %d runs, %d attach/detach cycles, %d runs seen, %d inside windows%n",
                        engine, RUNS, cycles, bits, covered);
            }
        }
    }
}
