package org.bpfsdt.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.ContextBtf;
import org.bpfsdt.loader.object.CodeFunction;
import org.bpfsdt.loader.object.GlobalVar;
import org.bpfsdt.loader.object.MapDefinition;
import org.bpfsdt.loader.object.ObjectParser;
import org.bpfsdt.loader.object.ParsedObject;
import org.bpfsdt.loader.relo.Linker;

/**
 * An opened BPF object file (libbpf's {@code bpf_object}, cilium's {@code CollectionSpec}):
 * its programs, maps and global variables, to inspect and configure, then {@link #load} into a
 * runtime. Opening parses and validates everything; a malformed object fails here with a
 * {@link BpfException} that names the file and section. Not thread-safe: configure from one thread.
 *
 * <pre>{@code
 * ObjectFile obj = ObjectFile.open(Path.of("counter.o"));
 * obj.map("pkt_counter").setMaxEntries(16);
 * obj.global("threshold").set(100);
 * try (LoadedObject loaded = obj.load(runtime)) {
 *     TestRunResult r = loaded.program("count_packets").testRun(TestRunSpec.data(packet));
 *     long seen = loaded.global("packets_seen").longValue();
 * }
 * }</pre>
 */
public final class ObjectFile {
    /** Objects larger than this are refused before they are read (BPF objects are kilobytes). */
    public static final long MAX_FILE_SIZE = 256L << 20;

    private final ParsedObject parsed;
    private final List<ObjectProgram> programs = new ArrayList<>();
    private final List<ObjectMap> maps = new ArrayList<>();
    private final List<GlobalVariable> globals = new ArrayList<>();
    private final List<ObjectSdtProbe> sdtProbes = new ArrayList<>();
    private Linker linker;

    private ObjectFile(ParsedObject parsed) {
        this.parsed = parsed;
        for (CodeFunction f : parsed.programs()) {
            programs.add(new ObjectProgram(this, f));
        }
        for (MapDefinition d : parsed.maps()) {
            maps.add(new ObjectMap(d, parsed.btf()));
        }
        parsed.sdtNotes().forEach(n -> sdtProbes.add(new ObjectSdtProbe(this, n, parsed.btf())));
        for (GlobalVar v : parsed.globals()) {
            ObjectMap map = maps.get(v.map());
            globals.add(new GlobalVariable(v, map.name(), parsed.btf(), new GlobalVariable.BufferStore(map.valueBuffer())));
        }
    }

    /** Opens and validates the object at {@code path}. */
    public static ObjectFile open(Path path) {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        try {
            long size = Files.size(path);
            if (size > MAX_FILE_SIZE) {
                throw new BpfException(Errno.E2BIG, name + ": " + size + " bytes is larger than any BPF object (limit " + MAX_FILE_SIZE + ")");
            }
            return open(Files.readAllBytes(path), name);
        } catch (IOException e) {
            throw new BpfException(Errno.ENOENT, name + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Opens an object held in memory; {@code name} names it in errors and gives the object name, as libbpf's {@code bpf_object__open_mem}. */
    public static ObjectFile open(byte[] bytes, String name) {
        return new ObjectFile(ObjectParser.parse(bytes, name));
    }

    /** The object's name: the file name up to its first dot. */
    public String name() {
        return parsed.name();
    }

    public String fileName() {
        return parsed.fileName();
    }

    /** The {@code license} section's string, or {@code ""}. */
    public String license() {
        return parsed.license();
    }

    /** The object's BTF, when it has some. */
    public Optional<Btf> btf() {
        return Optional.ofNullable(parsed.btf());
    }

    public List<ObjectProgram> programs() {
        return List.copyOf(programs);
    }

    /** The program named {@code name}; {@code ENOENT} naming the ones that exist otherwise. */
    public ObjectProgram program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() -> new BpfException(Errno.ENOENT,
                fileName() + ": no program '" + name + "' (programs: " + String.join(", ", programs.stream().map(ObjectProgram::name).toList()) + ")"));
    }

    public List<ObjectMap> maps() {
        return List.copyOf(maps);
    }

    /** The map named {@code name} (its object name or the name the runtime gets). */
    public ObjectMap map(String name) {
        return maps.stream().filter(m -> m.name().equals(name) || m.kernelName().equals(name)).findFirst()
                .orElseThrow(() -> new BpfException(Errno.ENOENT, fileName() + ": no map '" + name + "' (maps: "
                        + String.join(", ", maps.stream().map(ObjectMap::name).toList()) + ")"));
    }

    /** Global variables of the data sections, in section and offset order. */
    public List<GlobalVariable> globals() {
        return List.copyOf(globals);
    }

    /** The global variable {@code name}; set it before load to give the program its initial value. */
    public GlobalVariable global(String name) {
        return globals.stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> new BpfException(Errno.ENOENT, fileName() + ": no global variable '" + name + "'"));
    }

    /** The SDT probes ({@code BPF_SDT_PROBE<N>} sites of {@code .bpf_sdt_notes} with their BTF declarations), in notes order. */
    public List<ObjectSdtProbe> sdtProbes() {
        return List.copyOf(sdtProbes);
    }

    /** The SDT probe {@code name}; {@code ENOENT} naming the ones that exist otherwise. */
    public ObjectSdtProbe sdtProbe(String name) {
        return sdtProbes.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() -> new BpfException(Errno.ENOENT,
                fileName() + ": no SDT probe '" + name + "' (probes: " + String.join(", ", sdtProbes.stream().map(ObjectSdtProbe::name).toList()) + ")"));
    }

    /** What the loader ignored on purpose (pinning, address relocations in data...), for people. */
    public List<String> notes() {
        return parsed.notes();
    }

    /**
     * Creates the maps and loads the programs (those with autoload) into {@code runtime}, as
     * {@code bpf_object__load} does: maps first, with their initial values ({@code .rodata}
     * frozen), then each program with its map array, BTF, func_info and line_info, then
     * PROG_ARRAY initial slots. If any step fails, everything created so far is closed and the
     * failure is rethrown; the object stays open and may be loaded again.
     */
    public LoadedObject load(BpfRuntime runtime) {
        return ObjectLoader.load(this, runtime);
    }

    /** The {@code bpfsdt obj show} report: programs, maps, globals, BTF and notes. */
    public String report() {
        return ObjectReport.of(this);
    }

    ParsedObject parsed() {
        return parsed;
    }

    Linker linker() {
        if (linker == null) {
            linker = new Linker(parsed, ContextBtf.get());
        }
        return linker;
    }
}
