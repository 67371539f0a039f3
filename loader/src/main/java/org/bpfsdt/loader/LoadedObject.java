package org.bpfsdt.loader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;

/**
 * An object loaded into a runtime (libbpf's loaded {@code bpf_object}, cilium's
 * {@code Collection}): its programs and maps by name, and its global variables read and written
 * through the live maps. Closing it closes every handle it holds; programs and maps still held
 * elsewhere (by links or {@code dup()} handles) live on, as in the kernel.
 */
public final class LoadedObject implements AutoCloseable {
    private final ObjectFile object;
    private final Map<String, BpfProgram> programs;
    private final Map<String, BpfMap> maps;
    private final List<GlobalVariable> globals;
    private boolean closed;

    LoadedObject(ObjectFile object, Map<String, BpfProgram> programs, Map<String, BpfMap> maps, List<GlobalVariable> globals) {
        this.object = object;
        this.programs = Map.copyOf(programs);
        this.maps = Map.copyOf(maps);
        this.globals = List.copyOf(globals);
    }

    /** The object this was loaded from. */
    public ObjectFile object() {
        return object;
    }

    /** The loaded program {@code name}. */
    public BpfProgram program(String name) {
        BpfProgram p = programs.get(name);
        if (p == null) {
            throw new BpfException(Errno.ENOENT, object.fileName() + ": no loaded program '" + name + "' (loaded: "
                    + String.join(", ", programs.keySet()) + ")");
        }
        return p;
    }

    public Collection<BpfProgram> programs() {
        return programs.values();
    }

    /** The map {@code name}: its object name ({@code .bss}, {@code counters}) or its runtime name. */
    public BpfMap map(String name) {
        BpfMap m = maps.get(name);
        if (m == null) {
            ObjectMap om = object.map(name);
            m = maps.get(om.name());
        }
        return m;
    }

    public Collection<BpfMap> maps() {
        return maps.values();
    }

    /** The global variable {@code name}, reading and writing the live map value. */
    public GlobalVariable global(String name) {
        return globals.stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> new BpfException(Errno.ENOENT, object.fileName() + ": no global variable '" + name + "'"));
    }

    public List<GlobalVariable> globals() {
        return globals;
    }

    /** Closes every program and map handle; harmless twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> failures = new ArrayList<>();
        for (BpfProgram p : programs.values()) {
            closeQuietly(p, failures);
        }
        for (BpfMap m : maps.values()) {
            closeQuietly(m, failures);
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void closeQuietly(AutoCloseable c, List<RuntimeException> failures) {
        try {
            c.close();
        } catch (RuntimeException e) {
            failures.add(e);
        } catch (Exception e) {
            failures.add(new IllegalStateException(e));
        }
    }
}
