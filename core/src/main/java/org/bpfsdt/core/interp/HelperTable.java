package org.bpfsdt.core.interp;

import java.util.Arrays;
import java.util.Map;
import java.util.function.IntFunction;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.spi.HelperProto;
import org.bpfsdt.api.spi.HelperProtos;

/**
 * The helpers a runtime offers, by kernel helper number ({@link HelperId}): each with its
 * prototype (what the verifier checks) and its implementation. Register helpers before loading
 * the programs that call them: a program binds the table as it is when it is decoded, as the
 * kernel resolves helper addresses at load time. Thread-safe; reads take no lock.
 */
public final class HelperTable {
    /** Helper numbers this table can hold (the kernel's are below this). */
    public static final int CAPACITY = 512;

    private volatile Entry[] entries = new Entry[0];

    private record Entry(HelperProto proto, Helper impl) {
    }

    /** Registers (or replaces) helper {@code id}; {@code proto} may be {@code null} for helpers of raw runs only. */
    public synchronized HelperTable register(int id, HelperProto proto, Helper impl) {
        if (id < 0 || id >= CAPACITY) {
            throw BpfException.einval("helper number " + id + " is outside 0.." + (CAPACITY - 1));
        }
        if (proto != null && proto.id().id() != id) {
            throw BpfException.einval("prototype of " + proto.id().cName() + " registered as helper #" + id);
        }
        Entry[] e = entries;
        if (id >= e.length) {
            e = Arrays.copyOf(e, id + 1);
        } else {
            e = e.clone();
        }
        e[id] = new Entry(proto, impl);
        entries = e;
        return this;
    }

    /** Registers a helper with its prototype, under the prototype's number. */
    public HelperTable register(HelperProto proto, Helper impl) {
        return register(proto.id().id(), proto, impl);
    }

    /** A copy of this table with {@code overrides} put over it (raw runs' extra helpers). */
    public HelperTable overlay(Map<Integer, Helper> overrides) {
        HelperTable t = new HelperTable();
        t.entries = entries.clone();
        overrides.forEach((id, impl) -> t.register(id, null, impl));
        return t;
    }

    /** The implementation of helper {@code id}, or {@code null}. */
    public Helper helper(long id) {
        Entry[] e = entries;
        return id >= 0 && id < e.length && e[(int) id] != null ? e[(int) id].impl : null;
    }

    /** The prototype of helper {@code id}, or {@code null} when it is not offered or has none. */
    public HelperProto proto(int id) {
        Entry[] e = entries;
        return id >= 0 && id < e.length && e[id] != null ? e[id].proto : null;
    }

    /**
     * The prototypes programs of {@code type} may call (a snapshot): a registered standard helper
     * when the kernel offers it to that type ({@link HelperProtos#allowed}), any other registered
     * helper always.
     */
    public IntFunction<HelperProto> protosFor(ProgramType type) {
        Entry[] e = entries;
        return id -> {
            HelperProto p = id >= 0 && id < e.length && e[id] != null ? e[id].proto : null;
            if (p == null) {
                return null;
            }
            HelperId h = HelperId.byId(id);
            return h == null || HelperProtos.of(h) == null || HelperProtos.allowed(type, h) ? p : null;
        };
    }

    /** The implementations indexed by number, as decoded programs bind them. */
    public Helper[] implementations() {
        Entry[] e = entries;
        Helper[] out = new Helper[e.length];
        for (int i = 0; i < e.length; i++) {
            out[i] = e[i] == null ? null : e[i].impl;
        }
        return out;
    }

    HelperProto[] bindProtos() {
        Entry[] e = entries;
        HelperProto[] out = new HelperProto[e.length];
        for (int i = 0; i < e.length; i++) {
            out[i] = e[i] == null ? null : e[i].proto;
        }
        return out;
    }
}
