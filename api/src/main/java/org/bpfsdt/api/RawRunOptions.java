package org.bpfsdt.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Options of {@link BpfRuntime#runUnverified}: the engine (by name, or {@code null} for the
 * interpreter), extra helpers by number, which take precedence over the runtime's own, and the
 * interpreter's checked mode.
 *
 * <p>In checked mode (interpreter only) every load, store and atomic is checked against the
 * known regions: the run's stack frames, the memory given to the run, the regions listed here,
 * and memory helpers return (map values, ring buffer records); a read of stack bytes never
 * written is trapped too. A violation fails the run with {@link Errno#EFAULT} naming the
 * instruction, the register and the address. It exists to test that verified programs are
 * memory-safe; it is much slower than the normal mode.
 *
 * @param engine  engine name, or {@code null} for the interpreter
 * @param helpers extra helpers by kernel number
 * @param checked run on the checked interpreter
 * @param regions memory the program may touch besides its stack and memory (checked mode)
 */
public record RawRunOptions(String engine, Map<Integer, RawHelper> helpers, boolean checked, List<Region> regions) {

    public RawRunOptions {
        helpers = Map.copyOf(helpers);
        regions = List.copyOf(regions);
    }

    public RawRunOptions(String engine, Map<Integer, RawHelper> helpers) {
        this(engine, helpers, false, List.of());
    }

    public static RawRunOptions interpreter() {
        return new RawRunOptions(null, Map.of());
    }

    public static RawRunOptions on(String engine) {
        return new RawRunOptions(engine, Map.of());
    }

    public RawRunOptions withHelper(int id, RawHelper helper) {
        var m = new HashMap<>(helpers);
        m.put(id, helper);
        return new RawRunOptions(engine, m, checked, regions);
    }

    /** These options on the checked interpreter. */
    public RawRunOptions inCheckedMode() {
        return new RawRunOptions(engine, helpers, true, regions);
    }

    /** These options with one more region the program may touch (checked mode). */
    public RawRunOptions withRegion(Region region) {
        List<Region> r = new ArrayList<>(regions);
        r.add(region);
        return new RawRunOptions(engine, helpers, checked, r);
    }

    /** A helper for raw runs: arguments r1..r5, result r0. */
    @FunctionalInterface
    public interface RawHelper {
        long call(long r1, long r2, long r3, long r4, long r5);
    }

    /**
     * Native memory a checked run may touch.
     *
     * @param address  first byte
     * @param size     bytes
     * @param writable whether stores are allowed
     * @param name     what it is, for error messages
     */
    public record Region(long address, long size, boolean writable, String name) {
        public Region {
            Objects.requireNonNull(name, "name");
            if (size < 0 || address + size < address) {
                throw BpfException.einval("bad region " + name + ": " + size + " bytes at 0x" + Long.toHexString(address));
            }
        }
    }
}
