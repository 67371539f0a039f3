package org.bpfsdt.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.bpfsdt.api.TestRunResult;
import org.bpfsdt.api.TracePipe;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;

/**
 * One documented use of an object: how it is configured before load, what Java writes to its
 * maps after load, the programs run in order with their inputs and documented return values,
 * and what the maps, packets and trace hold afterwards.
 *
 * @param object      the {@code .o} file
 * @param configure   changes to the object before load (types, globals)
 * @param fill        map writes after load, before the runs
 * @param runs        the test runs, in order, on one loaded object
 * @param expect      assertions on the outcome (map contents, data out, trace)
 * @param kernelSkip  why the kernel cannot run it here, or {@code null} when it can
 */
record ProgramCase(Path object, Consumer<ObjectFile> configure, Consumer<MapWriter> fill, List<Run> runs,
                   Consumer<Outcome> expect, String kernelSkip) {

    /** A test run: the program, its packet and context ({@code null} for none), and its documented return value. */
    record Run(String program, byte[] data, byte[] ctx, long retval) {
    }

    /** Writes map values by map name, on this runtime or in the kernel. */
    interface MapWriter {
        void update(String map, byte[] key, byte[] value);
    }

    /** What a case left: the loaded object, the result of each run, the trace pipe's lines. */
    record Outcome(LoadedObject object, List<TestRunResult> results, List<TracePipe.Line> trace) {
        TestRunResult last() {
            return results.getLast();
        }
    }

    static ProgramCase run(Path object, String program, byte[] data, long retval) {
        return new ProgramCase(object, o -> { }, w -> { }, List.of(new Run(program, data, null, retval)), o -> { }, null);
    }

    String name() {
        StringBuilder sb = new StringBuilder(object.getFileName().toString());
        for (Run r : runs) {
            sb.append(' ').append(r.program()).append(" -> ").append(r.retval());
        }
        return sb.toString();
    }

    ProgramCase ctx(byte[] ctx) {
        List<Run> r = new ArrayList<>(runs);
        Run last = r.removeLast();
        r.add(new Run(last.program(), last.data(), ctx, last.retval()));
        return new ProgramCase(object, configure, fill, r, expect, kernelSkip);
    }

    ProgramCase configure(Consumer<ObjectFile> c) {
        return new ProgramCase(object, c, fill, runs, expect, kernelSkip);
    }

    ProgramCase fill(Consumer<MapWriter> f) {
        return new ProgramCase(object, configure, f, runs, expect, kernelSkip);
    }

    /** Another run after the previous ones, on the same loaded object. */
    ProgramCase then(String program, byte[] data, long retval) {
        List<Run> r = new ArrayList<>(runs);
        r.add(new Run(program, data, null, retval));
        return new ProgramCase(object, configure, fill, r, expect, kernelSkip);
    }

    ProgramCase expect(Consumer<Outcome> e) {
        return new ProgramCase(object, configure, fill, runs, e, kernelSkip);
    }

    ProgramCase notInKernel(String why) {
        return new ProgramCase(object, configure, fill, runs, expect, why);
    }
}
