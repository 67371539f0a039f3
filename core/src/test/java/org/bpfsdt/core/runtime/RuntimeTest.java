package org.bpfsdt.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfLink;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.LinkSpec;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgSpec;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.ContextLayouts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RuntimeTest {
    private final CoreRuntime runtime = new CoreRuntime();
    private final TestServices.ArrayMaps arrays = new TestServices.ArrayMaps();
    private final TestServices.AcceptAll verifier = new TestServices.AcceptAll();

    @AfterEach
    void close() {
        runtime.close();
        assertEquals(0, runtime.heap().liveAllocations(), "native memory left after close");
        assertEquals(0, arrays.open.get(), "map backends left open after close");
    }

    private void withServices() {
        runtime.addMapProvider(arrays, Map.of());
        runtime.addVerifier(verifier, Map.of());
    }

    /** Adds its u64 argument to value 0 of map index 0 (atomically) and returns the new value. */
    private static ProgSpec counter(BpfMap map) {
        Insn[] value = Insn.lddw(2, Opcodes.PSEUDO_MAP_IDX_VALUE, 0);
        List<Insn> asm = Assembler.assemble("""
                ldxdw %r1, [%r1+0]
                mov %r0, %r1
                lock fetch add [%r2+0], %r0
                add %r0, %r1
                exit
                """);
        List<Insn> insns = new java.util.ArrayList<>(List.of(value));
        insns.addAll(asm);
        return ProgSpec.builder(ProgramType.TRACING, insns).name("counter").maps(List.of(map)).license("GPL").build();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void idsStartAtOnePerKindAndHandlesCountReferences() {
        withServices();
        BpfMap m1 = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 4).withName("first"));
        BpfMap m2 = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 4));
        assertEquals(List.of(1, 2), List.of(m1.id(), m2.id()));
        assertEquals(1, runtime.refCount(m1));
        BpfProgram p = runtime.progLoad(counter(m1));
        assertEquals(1, p.id());
        assertEquals(2, runtime.refCount(m1), "the program holds its map");
        BpfMap again = runtime.mapGetById(1).orElseThrow();
        assertEquals(3, runtime.refCount(m1));
        again.close();
        again.close();
        assertEquals(2, runtime.refCount(m1), "closing twice drops one reference");
        assertEquals(Errno.EBADF, assertThrows(BpfException.class, again::info).errno());
        BpfProgram dup = p.dup();
        assertEquals(2, runtime.refCount(p));
        dup.close();
        m1.close();
        // the map lives on while the program holds it
        assertEquals(2, runtime.maps().size());
        p.close();
        assertTrue(runtime.programs().isEmpty());
        assertEquals(List.of(2), runtime.maps().stream().map(i -> i.id()).toList());
        assertTrue(runtime.progGetById(1).isEmpty());
        m2.close();
        runtime.grace().synchronize(null);
        assertEquals(0, runtime.heap().liveAllocations());
        assertEquals(0, arrays.open.get());
    }

    @Test
    void aLoadedProgramRunsWithItsMap() {
        withServices();
        BpfMap map = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1));
        try (BpfProgram p = runtime.progLoad(counter(map))) {
            assertEquals("interpreter", p.engine());
            assertEquals(5, p.testRun(TestRunSpec.ctx(u64(5))).retval());
            assertEquals(12, p.testRun(TestRunSpec.ctx(u64(7))).retval());
            assertEquals(12, u64(map.lookup(new byte[4]).orElseThrow()));
            var info = p.info();
            assertEquals("counter", info.name());
            assertEquals(16, info.tag().length());
            assertEquals(ProgramLoader.tag(p.originalInsns()), info.tag());
            assertEquals(List.of(map.id()), java.util.Arrays.stream(info.mapIds()).boxed().toList());
        }
        map.close();
    }

    @Test
    void theVerifierSeesMapsByIndexHelpersAndTheContext() {
        withServices();
        BpfMap a = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1));
        BpfMap b = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 16, 1));
        Insn[] byId = Insn.lddw(1, Opcodes.PSEUDO_MAP_FD, b.id());
        List<Insn> insns = List.of(byId[0], byId[1], Insn.mov64Imm(0, 0), Insn.exit());
        try (BpfProgram p = runtime.progLoad(ProgSpec.builder(ProgramType.XDP, insns).maps(List.of(a)).build())) {
            assertEquals(1, p.id());
            var req = verifier.last;
            assertEquals(List.of(a.id(), b.id()), req.maps().stream().map(d -> d.id()).toList());
            assertEquals(Opcodes.PSEUDO_MAP_IDX, req.insns().get(0).src());
            assertEquals(1, req.insns().get(0).imm());
            assertEquals(ContextLayouts.xdp(), req.context());
            assertEquals(2, runtime.refCount(b), "a map named by id is held too");
        }
        assertEquals(1, runtime.refCount(b));
        a.close();
        b.close();
    }

    @Test
    void withoutAVerifierNothingIsLoaded() {
        runtime.addMapProvider(arrays, Map.of());
        BpfMap map = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1));
        long heap = runtime.heap().liveAllocations();
        BpfException e = assertThrows(BpfException.class, () -> runtime.progLoad(counter(map)));
        assertTrue(e.reason().contains("no verifier service is present") && e.reason().contains("nothing was loaded"), e.reason());
        assertTrue(runtime.programs().isEmpty());
        assertEquals(1, runtime.refCount(map));
        assertEquals(heap, runtime.heap().liveAllocations());
        map.close();
    }

    @Test
    void everyFailedLoadGivesBackWhatItTook() {
        withServices();
        BpfMap map = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1));
        BpfProgram target = runtime.progLoad(counter(map));
        long heap = runtime.heap().liveAllocations();
        verifier.failWith = new BpfException(Errno.EACCES, "rejected for the test");
        ProgSpec spec = counter(map).toBuilder().attachProgram(target).build();
        assertEquals(Errno.EACCES, assertThrows(BpfException.class, () -> runtime.progLoad(spec)).errno());
        verifier.failWith = null;
        // an engine that does not exist fails after verification
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> runtime.progLoad(spec.toBuilder().engine("vax").build())).errno());
        // a map index beyond the program's maps, a map id that does not exist
        Insn[] badIdx = Insn.lddw(1, Opcodes.PSEUDO_MAP_IDX, 3);
        assertThrows(BpfException.class, () -> runtime.progLoad(spec.toBuilder().insns(List.of(badIdx[0], badIdx[1], Insn.exit())).build()));
        Insn[] badId = Insn.lddw(1, Opcodes.PSEUDO_MAP_FD, 99);
        assertEquals(Errno.EBADF, assertThrows(BpfException.class,
                () -> runtime.progLoad(spec.toBuilder().insns(List.of(badId[0], badId[1], Insn.exit())).build())).errno());
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class,
                () -> runtime.progLoad(ProgSpec.of(ProgramType.SYSCALL, List.of(Insn.exit())))).errno());
        assertEquals(2, runtime.refCount(map));
        assertEquals(1, runtime.refCount(target));
        assertEquals(heap, runtime.heap().liveAllocations());
        assertEquals(List.of(1), runtime.programs().stream().map(i -> i.id()).toList());
        target.close();
        map.close();
    }

    @Test
    void mapTypesWithoutAProviderAreRefusedByName() {
        BpfException e = assertThrows(BpfException.class, () -> runtime.mapCreate(MapSpec.of(MapType.HASH, 4, 4, 1)));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.reason().contains("map type HASH") && e.reason().contains("no map provider is present"), e.reason());
        runtime.addMapProvider(arrays, Map.of());
        assertThrows(BpfException.class, () -> runtime.mapCreate(MapSpec.of(MapType.ARRAY, 8, 4, 1)));
        assertEquals(0, runtime.heap().liveAllocations());
        assertTrue(runtime.maps().isEmpty());
    }

    @Test
    void linksHoldTheirProgram() {
        withServices();
        TestServices.HoldingLinks provider = new TestServices.HoldingLinks();
        runtime.addLinkProvider(provider, Map.of());
        BpfMap map = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1));
        BpfProgram p = runtime.progLoad(counter(map));
        BpfLink link = runtime.linkCreate(LinkSpec.of(p, AttachType.TRACE_RAW_TP));
        assertEquals(1, link.id());
        assertEquals(p.id(), link.info().programId());
        p.close();
        assertEquals(1, runtime.programs().size(), "the link keeps the program");
        try (BpfProgram again = runtime.progGetById(1).orElseThrow()) {
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> runtime.linkCreate(LinkSpec.of(again, AttachType.XDP))).errno());
            assertEquals(2, runtime.refCount(again), "a failed link takes nothing");
        }
        link.close();
        assertTrue(runtime.programs().isEmpty());
        assertEquals(0, provider.attached.get());
        map.close();
    }

    @Test
    void closingTheRuntimeFreesEverything() {
        withServices();
        BpfMap map = runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1));
        BpfProgram p = runtime.progLoad(counter(map));
        runtime.close();
        assertEquals(0, runtime.heap().liveAllocations());
        assertEquals(0, arrays.open.get());
        assertEquals(Errno.EBADF, assertThrows(BpfException.class, p::info).errno());
        assertEquals(Errno.EBADF, assertThrows(BpfException.class, () -> runtime.mapCreate(MapSpec.of(MapType.ARRAY, 4, 8, 1))).errno());
        p.close();
        map.close();
    }

    @Test
    void thePipeIsBoundedAndPollBlocks() throws Exception {
        BoundedTracePipe pipe = new BoundedTracePipe(2);
        List<TracePipe.Line> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        AutoCloseable sub = pipe.subscribe(seen::add);
        java.util.concurrent.CompletableFuture<TracePipe.Line> polled = new java.util.concurrent.CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                polled.complete(pipe.poll(Duration.ofMinutes(1)));
            } catch (InterruptedException e) {
                polled.completeExceptionally(e);
            }
        });
        // the line comes only once the reader waits in poll (its timed wait on the empty pipe), however slow the machine
        while (reader.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
        pipe.print(new TracePipe.Line(1, 0, 1, "late"));
        assertEquals("late", polled.get(1, java.util.concurrent.TimeUnit.MINUTES).text());
        for (int i = 0; i < 3; i++) {
            pipe.print(new TracePipe.Line(1, 0, i, "l" + i));
        }
        sub.close();
        pipe.print(new TracePipe.Line(1, 0, 9, "unseen"));
        assertEquals(List.of("l2", "unseen"), pipe.drain().stream().map(TracePipe.Line::text).toList());
        assertEquals(2, pipe.dropped());
        assertEquals(List.of("late", "l0", "l1", "l2"), seen.stream().map(TracePipe.Line::text).toList(), "subscribers hear of every line");
        assertNull(pipe.poll(Duration.ofMillis(1)));
        reader.join();
    }

    @Test
    void aSubscriberHearsOfALineBeforeAReaderCanTakeIt() throws Exception {
        BoundedTracePipe pipe = new BoundedTracePipe(4);
        TracePipe.Line a = new TracePipe.Line(1, 0, 1, "a"), b = new TracePipe.Line(1, 0, 2, "b");
        // what a reader could take from the pipe at the moment the subscriber hears of each line
        List<List<TracePipe.Line>> takeable = new java.util.ArrayList<>();
        try (AutoCloseable sub = pipe.subscribe(l -> takeable.add(pipe.drain()))) {
            pipe.print(a);
            pipe.print(b);
        }
        assertEquals(List.of(List.of(), List.of(a)), takeable);
        assertEquals(List.of(b), pipe.drain());
    }

    @Test
    void serviceLoaderFindsTheRuntime() {
        try (BpfRuntime rt = ServiceLoader.load(BpfRuntime.class).findFirst().orElseThrow()) {
            assertInstanceOf(ServiceLoaderRuntime.class, rt);
            assertEquals(42, rt.runUnverified(Assembler.assemble("mov %r0, 42\nexit"), null, null).r0());
            assertFalse(rt.engines().isEmpty());
        }
    }
}
