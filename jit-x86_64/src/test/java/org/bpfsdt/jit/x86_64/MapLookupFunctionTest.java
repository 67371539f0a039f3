package org.bpfsdt.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.InsnAux;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.ProgramRef;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.core.runtime.ServiceLoaderRuntime;
import org.bpfsdt.jit.x86_64.codegen.CpuFeatures;
import org.bpfsdt.maps.StandardMapProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hash map lookups in JIT code call the map's lookup function (compiled into the image) instead
 * of the helper's upcall, and answer exactly as the map's Java lookup does: with keys present and
 * absent, next to the interpreter, and while Java and programs update and delete the same keys.
 */
class MapLookupFunctionTest {
    /** Keys the concurrent test writes: fewer than its map's max_entries, so no update finds it full. */
    private static final int KEYS = 48;
    private static CoreRuntime runtime;
    private static final Recording JIT = new Recording();

    /** The x86_64 JIT, keeping the last image it compiled so a test can read its listing. */
    private static final class Recording implements org.bpfsdt.api.spi.JitCompiler {
        private final X86JitCompiler jit = new X86JitCompiler();
        volatile JitImage last;

        @Override
        public String architecture() {
            return jit.architecture();
        }

        @Override
        public boolean runsOnHost() {
            return jit.runsOnHost();
        }

        @Override
        public JitImage compile(JitRequest request) {
            JitImage image = jit.compile(request);
            last = image;
            return image;
        }
    }

    @BeforeAll
    static void start() {
        runtime = new ServiceLoaderRuntime();
        runtime.addJit(JIT, java.util.Map.of(org.bpfsdt.api.spi.JitCompiler.PROP_ARCH, "x86_64", "service.ranking", 1000));
        if (ServiceLoader.load(org.bpfsdt.api.spi.Verifier.class).findFirst().isEmpty()) {
            runtime.addVerifier(new org.bpfsdt.verifier.BpfVerifier(), java.util.Map.of());
        }
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    /** A map context for a map used outside a runtime, where nothing runs concurrently. */
    private static final MapContext ALONE = new MapContext() {
        @Override
        public int possibleCpus() {
            return 1;
        }

        @Override
        public int currentCpu() {
            return 0;
        }

        @Override
        public ProgramRef acquireProgram(int id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    };

    @Test
    void theLookupIsCompiledIntoTheImageAndNoHelperIsCalled() throws Throwable {
        try (MapBackend map = new StandardMapProvider().create(MapSpec.of(MapType.HASH, 8, 8, 16), ALONE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(8);
            MemorySegment value = arena.allocate(8);
            key.set(ValueLayout.JAVA_LONG, 0, 42);
            value.set(ValueLayout.JAVA_LONG, 0, 4200);
            map.update(key, value, MapFlags.ANY);
            // r1 = key; r2 = r1; r1 = map (unused by the function); call bpf_map_lookup_elem; exit
            List<Insn> insns = new ArrayList<>();
            insns.add(Insn.mov64Reg(2, 1));
            insns.addAll(List.of(Insn.lddw(1, 0, 0)));
            insns.add(Insn.call(HelperId.MAP_LOOKUP_ELEM.id()));
            insns.add(Insn.exit());
            List<InsnAux> aux = new ArrayList<>();
            for (int i = 0; i < insns.size(); i++) {
                aux.add(new InsnAux(i, true, false, i == 3 ? 0 : -1, -1));
            }
            MapDescriptor d = new MapDescriptor(1, MapType.HASH, 8, 8, 16, 0, false, null, 0, -1, 0, 0, Optional.empty(), map.lookupFunction());
            // no helper has a native entry: the call must not need one
            JitRequest request = new JitRequest("lookup", ProgramType.XDP, insns, aux, List.of(), id -> 0, List.of(), null, List.of(d));
            try (JitImage image = new X86JitCompiler(CpuFeatures.ofHost(), true).compile(request)) {
                assertEquals(map.lookup(key.address()), (long) image.entry().invokeExact(key.address()));
                key.set(ValueLayout.JAVA_LONG, 0, 43);
                assertEquals(0L, (long) image.entry().invokeExact(key.address()));
                assertTrue(image.listing(insns, i -> null).contains("lookup in map 1"), "the listing names the function");
            }
        }
    }

    /**
     * XDP: the first 16 bytes of the packet are the key (copied to the stack); returns 1 when the
     * key's value holds the key's first word, 2 when it holds another (memory reused under a run),
     * 3 when the key is absent.
     */
    private static final String READER = """
            ldxw %r2, [%r1+0]
            ldxw %r3, [%r1+4]
            mov %r4, %r2
            add %r4, 16
            jgt %r4, %r3, short
            ldxdw %r5, [%r2+0]
            stxdw [%r10-16], %r5
            ldxdw %r5, [%r2+8]
            stxdw [%r10-8], %r5
            lddw %r1, 0
            mov %r2, %r10
            add %r2, -16
            call 1
            jeq %r0, 0, absent
            ldxdw %r0, [%r0+0]
            ldxw %r1, [%r10-16]
            jne %r0, %r1, reused
            mov %r0, 1
            exit
            reused:
            mov %r0, 2
            exit
            absent:
            mov %r0, 3
            exit
            short:
            mov %r0, 0
            exit
            """;

    /** XDP: packet = 16-byte key, then one byte: 0 updates the key's value to its first word, 1 deletes it. */
    private static final String WRITER = """
            ldxw %r2, [%r1+0]
            ldxw %r3, [%r1+4]
            mov %r4, %r2
            add %r4, 17
            jgt %r4, %r3, done
            ldxdw %r5, [%r2+0]
            stxdw [%r10-16], %r5
            ldxdw %r5, [%r2+8]
            stxdw [%r10-8], %r5
            ldxw %r5, [%r2+0]
            stxdw [%r10-24], %r5
            ldxb %r6, [%r2+16]
            lddw %r1, 0
            mov %r2, %r10
            add %r2, -16
            jne %r6, 0, delete
            mov %r3, %r10
            add %r3, -24
            mov %r4, 0
            call 2
            ja done
            delete:
            call 3
            done:
            mov %r0, 2
            exit
            """;

    private static BpfProgram load(String source, BpfMap map, String engine) {
        List<Insn> insns = new ArrayList<>(Assembler.assemble(source));
        for (int pc = 0; pc < insns.size(); pc++) {
            if (insns.get(pc).isLddw()) {
                insns.set(pc, Insn.lddw(1, Opcodes.PSEUDO_MAP_FD, map.info().id())[0]);
                pc++;
            }
        }
        return runtime.progLoad(ProgSpec.builder(ProgramType.XDP, insns).license("GPL").engine(engine).build());
    }

    private static byte[] packet(int k, int op) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, k).putInt(8, ~k).put(16, (byte) op);
        return b.array();
    }

    private static byte[] key(int k) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, k).putInt(8, ~k).array();
    }

    private static byte[] value(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v).array();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HASH", "LRU_HASH"})
    void answersAsTheJavaLookupAndTheInterpreter(String type) {
        Random rnd = new Random(5);
        try (BpfMap map = runtime.mapCreate(MapSpec.of(MapType.valueOf(type), 16, 8, 512));
             BpfProgram jit = load(READER, map, "x86_64");
             BpfProgram interp = load(READER, map, EngineInfo.INTERPRETER)) {
            assertTrue(JIT.last.listing(jit.xlatedInsns(), i -> null).contains("<lookup in map " + map.info().id() + ">"),
                    "the JIT calls the map's lookup function");
            for (int i = 0; i < 400; i++) {
                int k = rnd.nextInt(1000);
                map.update(key(k), value(rnd.nextBoolean() ? k : k + 1), MapFlags.ANY);
            }
            for (int k = 0; k < 1000; k++) {
                Optional<byte[]> v = map.lookup(key(k));
                long expected = v.isEmpty() ? 3 : ByteBuffer.wrap(v.get()).order(ByteOrder.LITTLE_ENDIAN).getLong(0) == k ? 1 : 2;
                var r = jit.testRun(TestRunSpec.data(packet(k, 0)));
                assertEquals("x86_64", r.engine());
                assertEquals(expected, r.retval(), "key " + k);
                assertEquals(expected, interp.testRun(TestRunSpec.data(packet(k, 0))).retval(), "key " + k + " on the interpreter");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"HASH", "LRU_HASH"})
    void valuesStayTheirKeysWhileJavaAndProgramsWrite(String type) throws Exception {
        try (BpfMap map = runtime.mapCreate(MapSpec.of(MapType.valueOf(type), 16, 8, 64));
             BpfProgram reader = load(READER, map, "x86_64");
             BpfProgram writer = load(WRITER, map, "x86_64")) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong found = new AtomicLong();
            long stopAt = System.nanoTime() + 1_500_000_000L;
            List<Thread> threads = new ArrayList<>();
            threads.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (System.nanoTime() < stopAt) {
                    int k = rnd.nextInt(KEYS);
                    if (rnd.nextBoolean()) {
                        map.update(key(k), value(k), MapFlags.ANY);
                    } else {
                        map.delete(key(k));
                    }
                }
            })));
            threads.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (System.nanoTime() < stopAt) {
                    writer.testRun(TestRunSpec.data(packet(rnd.nextInt(KEYS), rnd.nextInt(2))));
                }
            })));
            threads.add(Thread.ofPlatform().start(() -> guard(failure, () -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (System.nanoTime() < stopAt) {
                    long r = reader.testRun(TestRunSpec.data(packet(rnd.nextInt(KEYS), 0))).retval();
                    if (r == 2) {
                        throw new AssertionError("a run saw a value that is not its key's");
                    }
                    if (r == 1) {
                        found.incrementAndGet();
                    }
                }
            })));
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(found.get() > 0, "some lookups found their key");
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
