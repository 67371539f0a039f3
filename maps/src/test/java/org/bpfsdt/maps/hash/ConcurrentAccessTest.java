package org.bpfsdt.maps.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.maps.InsnEval;
import org.bpfsdt.maps.Mem;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.maps.TestContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Java and "programs" on several threads at once: writers update and delete through both sides
 * while readers, inside program runs, hold value addresses and keep reading them. A value's
 * first word is its key, so a reader that saw another key's data would have read memory reused
 * before its run ended.
 */
class ConcurrentAccessTest {
    private static final int KEYS = 300;
    private static final int OPS_PER_WRITER = 40_000;

    /** Variants ending in {@code _FUNCTION} read through the map's lookup function, as JIT code does. */
    @ParameterizedTest
    @ValueSource(strings = {"HASH", "HASH_NO_PREALLOC", "PERCPU_HASH", "LRU_HASH", "LRU_PERCPU_HASH",
        "HASH_FUNCTION", "HASH_NO_PREALLOC_FUNCTION", "LRU_HASH_FUNCTION"})
    void valuesStayValidForTheRunThatLookedThemUp(String variant) throws Exception {
        TestContext ctx = new TestContext(2);
        StandardMapProvider provider = new StandardMapProvider();
        boolean viaFunction = variant.endsWith("_FUNCTION");
        variant = variant.replace("_FUNCTION", "");
        boolean noPrealloc = variant.endsWith("NO_PREALLOC");
        MapType type = MapType.valueOf(noPrealloc ? "HASH" : variant);
        MapSpec spec = MapSpec.of(type, 4, 16, 200).withFlags(noPrealloc ? MapFlags.NO_PREALLOC : 0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (MapBackend m = provider.create(spec, ctx)) {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().start(() -> guard(failure, () -> write(m, ctx, writer, type.isPerCpu()))));
            }
            long stopAt = System.nanoTime() + 2_000_000_000L;
            for (int r = 0; r < 2; r++) {
                int reader = r;
                List<Insn> function = viaFunction ? m.lookupFunction().orElseThrow() : null;
                threads.add(Thread.ofPlatform().start(() -> guard(failure, () -> read(m, function, ctx, type.isPerCpu() ? 0 : reader, threads, stopAt))));
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            // what is left is consistent: every key found by iteration has its own value
            MemorySegment value = Mem.alloc(16L * (type.isPerCpu() ? 2 : 1));
            for (int key : HashTableMapTest.iterate(m)) {
                assertTrue(m.lookup(Mem.u32(key), value));
                assertEquals(key, value.get(ValueLayout.JAVA_LONG, 0));
            }
            assertTrue(HashTableMapTest.iterate(m).size() <= 200);
        }
        assertEquals(0, provider.memory().bytes());
    }

    private static void write(MapBackend m, TestContext ctx, int writer, boolean perCpu) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        // per-CPU maps: programs write their own CPU's value, so readers and writers share CPU 0
        ctx.onCpu(perCpu ? 0 : writer);
        MemorySegment key = Mem.alloc(4);
        MemorySegment one = Mem.alloc(16);
        MemorySegment all = Mem.alloc(32);
        for (int i = 0; i < OPS_PER_WRITER; i++) {
            int k = rnd.nextInt(KEYS);
            key.set(ValueLayout.JAVA_INT, 0, k);
            one.set(ValueLayout.JAVA_LONG, 0, k);
            one.set(ValueLayout.JAVA_LONG, 8, i);
            all.set(ValueLayout.JAVA_LONG, 0, k);
            all.set(ValueLayout.JAVA_LONG, 16, k);
            switch (rnd.nextInt(4)) {
                case 0 -> m.update(key.address(), one.address(), MapFlags.ANY);
                case 1 -> m.delete(key.address());
                case 2 -> {
                    try {
                        m.update(key, perCpu ? all : one, MapFlags.ANY);
                    } catch (BpfException full) {
                        // E2BIG: the map is full right now
                    }
                }
                default -> m.delete(key);
            }
        }
    }

    /** Looks keys up inside runs (through {@code function} when given) and checks the values stay theirs until the run ends. */
    private static void read(MapBackend m, List<Insn> function, TestContext ctx, int cpu, List<Thread> threads, long stopAt) {
        ctx.onCpu(cpu);
        MemorySegment key = Mem.alloc(4);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (System.nanoTime() < stopAt && (threads.get(0).isAlive() || threads.get(1).isAlive())) {
            try (TestContext.Run run = ctx.enterRun()) {
                long[] held = new long[8];
                int[] keys = new int[8];
                for (int i = 0; i < held.length; i++) {
                    keys[i] = rnd.nextInt(KEYS);
                    key.set(ValueLayout.JAVA_INT, 0, keys[i]);
                    held[i] = function != null ? InsnEval.run(function, 0, key.address()) : m.lookup(key.address());
                }
                for (int pass = 0; pass < 20; pass++) {
                    for (int i = 0; i < held.length; i++) {
                        if (held[i] != 0 && Mem.u64At(held[i]) != keys[i]) {
                            throw new AssertionError("value of key " + keys[i] + " was reused during the run: " + Mem.u64At(held[i]));
                        }
                    }
                    Thread.onSpinWait();
                }
            }
        }
    }

    private static void guard(AtomicReference<Throwable> failure, Runnable body) {
        try {
            body.run();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }
}
