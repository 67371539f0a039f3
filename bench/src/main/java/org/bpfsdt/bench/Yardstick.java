package org.bpfsdt.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.core.engine.ProgramEngine;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.core.runtime.ServiceLoaderRuntime;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectProgram;

/**
 * The shared yardstick programs ({@code ../shared/bench/progs}) with the inputs their README
 * gives, and the runtime the benchmarks run them on: the core runtime with the real verifier and
 * maps, and any JIT service on the class path.
 */
enum Yardstick {
    XDP_PARSE("xdp_parse.o", "xdp_parse", "pkt_tcp4.bin"),
    XDP_FNV("xdp_fnv.o", "xdp_fnv", "pkt_fnv.bin"),
    COMPUTE_PRIMES("compute_primes.o", "compute_primes", "pkt_tcp4.bin"),
    ARRAY_COUNTER("array_counter.o", "array_counter", "pkt_tcp4.bin"),
    HASH_FLOW("hash_flow.o", "hash_flow", "pkt_tcp4.bin"),
    SDT_LIKE("sdt_like.o", "sdt_like", "pkt_tcp4.bin"),
    SDT_LIKE_NOPROBE("sdt_like.o", "sdt_like_noprobe", "pkt_tcp4.bin");

    final String object;
    final String program;
    final String input;

    Yardstick(String object, String program, String input) {
        this.object = object;
        this.program = program;
        this.input = input;
    }

    /** The yardstick objects, {@code shared/bench/progs} ({@code -Dbpfsdt.shared}: the shared folder, set by the scripts). */
    static Path progs() {
        return shared().resolve("bench/progs");
    }

    private static Path shared() {
        return Path.of(System.getProperty("bpfsdt.shared", "../shared")).toAbsolutePath().normalize();
    }

    /** An object of the project's {@code testprogs/} ({@code -Dbpfsdt.root}: the repository, set by {@code bench/run}). */
    static byte[] testprog(String name) {
        return read(Path.of(System.getProperty("bpfsdt.root", "."), "testprogs", name));
    }

    byte[] objectBytes() {
        return read(progs().resolve(object));
    }

    byte[] inputBytes() {
        return read(shared().resolve("bench/inputs").resolve(input));
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + " (set -Dbpfsdt.shared to the shared folder, -Dbpfsdt.root to the repository)", e);
        }
    }

    /** The runtime users get outside OSGi: verifier, maps, links and every JIT found by {@link java.util.ServiceLoader}. */
    static CoreRuntime runtime() {
        return new ServiceLoaderRuntime();
    }

    /** The object {@code bytes} (named {@code name}) loaded into {@code rt} with every program on {@code engine}. */
    static LoadedObject load(CoreRuntime rt, byte[] bytes, String name, String engine) {
        ObjectFile obj = ObjectFile.open(bytes, name);
        for (ObjectProgram p : obj.programs()) {
            p.setEngine(engine);
        }
        return obj.load(rt);
    }

    /** This yardstick's object loaded into a fresh {@link #runtime()} with every program on {@code engine}. */
    Loaded load(String engine) {
        CoreRuntime rt = runtime();
        LoadedObject loaded = load(rt, objectBytes(), object, engine);
        BpfProgram prog = loaded.program(program);
        ProgramEngine code = rt.engineResolution().programs().stream()
                .filter(pe -> pe.code().id() == prog.info().id()).findFirst().orElseThrow();
        return new Loaded(rt, loaded, prog, code);
    }

    /**
     * A loaded yardstick: its runtime, object, program and the program's place in engine
     * resolution (its code and current executable); closing frees them all.
     */
    record Loaded(CoreRuntime runtime, LoadedObject object, BpfProgram program, ProgramEngine code) implements AutoCloseable {
        @Override
        public void close() {
            object.close();
            runtime.close();
        }
    }
}
