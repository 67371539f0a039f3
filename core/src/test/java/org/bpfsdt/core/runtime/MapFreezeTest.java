package org.bpfsdt.core.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.maps.StandardMapProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Freezing a map stops every Java write for good: the verifier reads frozen read-only values as constants. */
class MapFreezeTest {
    private final CoreRuntime runtime = new CoreRuntime();

    MapFreezeTest() {
        runtime.addMapProvider(new StandardMapProvider(), Map.of());
    }

    @AfterEach
    void close() {
        runtime.close();
    }

    private BpfMap rodata() {
        return runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1).withName(".rodata").withFlags(MapFlags.RDONLY_PROG));
    }

    private static final byte[] KEY = {0, 0, 0, 0};

    @Test
    void viewsFromBeforeAFreezeAreRevokedAndNewOnesAreReadOnly() {
        try (BpfMap map = rodata()) {
            MemorySegment before = map.valueSegment(KEY).orElseThrow();
            before.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 4);
            map.freeze();

            assertThrows(IllegalStateException.class, () -> before.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 1000));
            MemorySegment after = map.valueSegment(KEY).orElseThrow();
            assertTrue(after.isReadOnly());
            assertEquals(4, after.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            assertEquals(Errno.EPERM, assertThrows(BpfException.class, () -> map.update(KEY, new byte[8], MapFlags.ANY)).errno());
            assertArrayEquals(new byte[] {4, 0, 0, 0, 0, 0, 0, 0}, map.lookup(KEY).orElseThrow());
        }
    }

    @Test
    void aViewOutlivingItsMapFailsInsteadOfTouchingFreedMemory() {
        MemorySegment view;
        try (BpfMap map = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1))) {
            view = map.valueSegment(KEY).orElseThrow();
        }
        assertThrows(IllegalStateException.class, () -> view.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
    }

    @Test
    void noWriteLandsAfterFreezeReturns() throws Exception {
        try (BpfMap map = rodata()) {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch writing = new CountDownLatch(2);
            Thread[] writers = new Thread[2];
            for (int t = 0; t < writers.length; t++) {
                byte tag = (byte) (t + 1);
                writers[t] = Thread.ofPlatform().start(() -> {
                    writing.countDown();
                    byte[] v = new byte[8];
                    for (long i = 0; !stop.get(); i++) {
                        v[0] = tag;
                        v[1] = (byte) i;
                        try {
                            map.update(KEY, v, MapFlags.ANY);
                        } catch (BpfException e) {
                            assertEquals(Errno.EPERM, e.errno());
                        }
                    }
                });
            }
            writing.await();
            Thread.sleep(5);
            map.freeze();
            byte[] frozen = map.lookup(KEY).orElseThrow();
            Thread.sleep(20);
            stop.set(true);
            for (Thread w : writers) {
                w.join();
            }
            assertArrayEquals(frozen, map.lookup(KEY).orElseThrow(), "the value changed after freeze returned");
        }
    }
}
