package org.bpfsdt.api;

import java.util.Map;

/**
 * Options of {@link BpfRuntime#runUnverified}: the engine (by name, or {@code null} for the
 * interpreter) and extra helpers by number, which take precedence over the runtime's own.
 */
public record RawRunOptions(String engine, Map<Integer, RawHelper> helpers) {

    public RawRunOptions {
        helpers = Map.copyOf(helpers);
    }

    public static RawRunOptions interpreter() {
        return new RawRunOptions(null, Map.of());
    }

    public static RawRunOptions on(String engine) {
        return new RawRunOptions(engine, Map.of());
    }

    public RawRunOptions withHelper(int id, RawHelper helper) {
        var m = new java.util.HashMap<>(helpers);
        m.put(id, helper);
        return new RawRunOptions(engine, m);
    }

    /** A helper for raw runs: arguments r1..r5, result r0. */
    @FunctionalInterface
    public interface RawHelper {
        long call(long r1, long r2, long r3, long r4, long r5);
    }
}
