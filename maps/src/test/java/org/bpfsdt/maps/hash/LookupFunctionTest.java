package org.bpfsdt.maps.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;

import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.maps.InsnEval;
import org.bpfsdt.maps.Mem;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.maps.TestContext;
import org.bpfsdt.maps.support.BpfCode;
import org.bpfsdt.maps.support.Jhash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hash map's lookup function (the BPF form JITs call instead of the helper) answers exactly as
 * the map's Java lookup: the same value address for every key present, 0 for every key absent,
 * for every key size it is offered for, at any key alignment, and LRU maps get their reference
 * bit set by it as by the helper. Concurrent writers: {@link ConcurrentAccessTest}.
 */
class LookupFunctionTest {
    private final TestContext ctx = new TestContext(2);
    private final StandardMapProvider provider = new StandardMapProvider();

    @AfterEach
    void noNativeMemoryLeft() {
        assertEquals(0, provider.memory().bytes());
    }

    @Test
    void theBpfJhashIsTheJavaJhash() {
        Random rnd = new Random(1);
        MemorySegment buf = Mem.alloc(700);
        for (int len = 0; len <= 600; len += len < 80 ? 1 : 37) {
            for (int round = 0; round < 4; round++) {
                int seed = round == 0 ? 0 : rnd.nextInt();
                int at = round; // unaligned keys too
                for (int i = 0; i < len; i++) {
                    buf.set(ValueLayout.JAVA_BYTE, at + i, (byte) rnd.nextInt());
                }
                BpfCode code = new BpfCode();
                Jhash.emit(code, len, seed);
                code.add(Insn.mov64Reg(0, Jhash.RC)).add(Insn.exit());
                long bpf = InsnEval.run(code.build(), 0, buf.address() + at);
                assertEquals(Integer.toUnsignedLong(Jhash.hash(buf, at, len, seed)), bpf, "jhash of " + len + " bytes, seed " + seed);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"HASH", "LRU_HASH"})
    void findsWhatTheJavaLookupFindsForEveryKeySize(String type) {
        Random rnd = new Random(type.hashCode());
        for (int keySize : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 23, 24, 25, 36, 48, 60, 61, 64, 72, 100, 255, 512}) {
            for (int flags : new int[] {0, MapFlags.ZERO_SEED}) {
                sameAnswers(MapType.valueOf(type), keySize, flags, rnd);
            }
        }
    }

    private void sameAnswers(MapType type, int keySize, int flags, Random rnd) {
        try (MapBackend m = provider.create(MapSpec.of(type, keySize, 16, 64).withFlags(flags), ctx)) {
            List<Insn> function = m.lookupFunction().orElseThrow();
            MemorySegment keys = Mem.alloc(200L * (keySize + 1) + 8);
            MemorySegment value = Mem.alloc(16);
            for (int i = 0; i < 200; i++) {
                long off = i * (keySize + 1L) + 1; // odd addresses: keys need not be aligned
                long key = keys.address() + off;
                for (int b = 0; b < keySize; b++) {
                    // few distinct bytes: many keys share buckets and most bytes with another key
                    keys.set(ValueLayout.JAVA_BYTE, off + b, (byte) rnd.nextInt(3));
                }
                if (i % 3 == 0) {
                    value.set(ValueLayout.JAVA_LONG, 0, i);
                    m.update(key, value.address(), MapFlags.ANY);
                }
            }
            for (int i = 0; i < 200; i++) {
                long key = keys.address() + i * (keySize + 1L) + 1;
                long expected = m.lookup(key);
                assertEquals(expected, InsnEval.run(function, 0, key), type + " with " + keySize + "-byte keys, key " + i);
            }
        }
    }

    @Test
    void anLruLookupSetsTheReferenceBitAsTheHelperDoes() {
        try (MapBackend m = provider.create(MapSpec.of(MapType.LRU_HASH, 4, 8, 4), ctx)) {
            m.update(Mem.u32(7).address(), Mem.u64(70).address(), MapFlags.ANY);
            long value = m.lookup(Mem.u32(7).address());
            long element = value - ElementLayout.of(true, 4, 8, 1).valueOffset();
            MemorySegment ref = MemorySegment.ofAddress(element + ElementLayout.REF).reinterpret(4);
            ref.set(ValueLayout.JAVA_INT, 0, 0);
            assertEquals(value, InsnEval.run(m.lookupFunction().orElseThrow(), 0, Mem.u32(7).address()));
            assertEquals(1, ref.get(ValueLayout.JAVA_INT, 0), "the clock hand sees the element was used");
        }
    }

    @Test
    void onlyMapsWhoseLookupNeedsNothingButMemoryOfferOne() {
        for (MapType t : new MapType[] {MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH}) {
            try (MapBackend m = provider.create(MapSpec.of(t, 4, 8, 4), ctx)) {
                assertTrue(m.lookupFunction().isEmpty(), t + ": the value depends on the running thread's CPU");
            }
        }
        try (MapBackend m = provider.create(MapSpec.of(MapType.HASH, LookupFunction.MAX_KEY_SIZE + 1, 8, 4), ctx)) {
            assertTrue(m.lookupFunction().isEmpty(), "keys longer than any program stack go through the helper");
        }
        try (MapBackend m = provider.create(MapSpec.of(MapType.HASH, 4, 8, 4), ctx);
             MapBackend n = provider.create(MapSpec.of(MapType.HASH, 4, 8, 4), ctx)) {
            assertNotEquals(m.lookupFunction(), n.lookupFunction(), "each function holds its own map's seed and buckets");
        }
    }
}
