package org.bpfsdt.verifier;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.HelperProtos;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.VerifierRequest;

/**
 * The verifier corpus: small programs in {@code src/test/resources/corpus/*.bpf}, each with the
 * verdict it must get. A file holds programs of one topic:
 *
 * <pre>
 * === name
 * type: xdp                        (xdp, sched_cls, socket_filter, tracing; default xdp)
 * attach: trace_fentry             (optional expected attach type)
 * maps: hash 4 8 16, array 4 48 1 lock=0 rdonly frozen value=2a000000
 * funcs: main(ctx) int, global f(int, mem 16) int      (optional BTF func_info, see {@link FuncBtf})
 * expect: accept | reject ERRNO message the verifier must give
 * ---
 * assembly (the conformance syntax; map[N] loads the program's map N)
 * </pre>
 *
 * A frozen map's value lives in real memory holding its {@code value=} bytes (zeros without),
 * since the verifier reads frozen read-only values; the corpus is parsed once and that memory
 * lives as long as the test JVM.
 *
 * @param initialValues per map, the bytes of its first value, or {@code null}
 * @param funcs         the {@code funcs:} declarations, or {@code null} for a program without BTF
 */
public record Corpus(String name, String file, ProgramType type, AttachType attach, List<MapDescriptor> maps, List<byte[]> initialValues,
                     String funcs, boolean accept, Errno errno, String message, String asm) {

    static final String[] FILES = {"alu.bpf", "bounds.bpf", "stack.bpf", "ctx.bpf", "packet.bpf", "maps.bpf", "helpers.bpf",
            "pointers.bpf", "cfg.bpf", "calls.bpf", "refs.bpf", "loops.bpf", "returns.bpf", "malformed.bpf", "readonly.bpf",
            "globals.bpf"};

    public List<Insn> insns() {
        return Assembler.assemble(asm);
    }

    /** The program's BTF and func_info, or {@code null} without a {@code funcs:} header. */
    public FuncBtf btf() {
        return funcs == null ? null : FuncBtf.parse(funcs, insns(), ContextLayouts.forType(type, 5).name());
    }

    public VerifierRequest request(int logLevel) {
        FuncBtf b = btf();
        return new VerifierRequest(type, attach, insns(), maps, b == null ? null : b.btf(), b == null ? List.of() : b.funcInfo(), List.of(),
                HelperProtos.forProgramType(type), ContextLayouts.forType(type, 5), null, 0, List.of(), true, logLevel);
    }

    /** The same program in the running kernel: its maps (with their initial values) and BTF. */
    public KernelProgram kernelProgram() {
        return new KernelProgram(type, attach, insns(), maps, initialValues, btf());
    }

    @Override
    public String toString() {
        return file + ":" + name;
    }

    private static final List<Corpus> ALL = load();

    public static List<Corpus> all() {
        return ALL;
    }

    private static List<Corpus> load() {
        List<Corpus> all = new ArrayList<>();
        for (String f : FILES) {
            all.addAll(parse(f, read(f)));
        }
        return List.copyOf(all);
    }

    /** Known differences from the kernel: program name to the reason. */
    static Map<String, String> knownDifferences() {
        Map<String, String> m = new HashMap<>();
        for (String line : read("known-differences.txt").split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            m.put(l.substring(0, colon).strip(), l.substring(colon + 1).strip());
        }
        return m;
    }

    private static String read(String f) {
        try (InputStream in = Corpus.class.getResourceAsStream("/corpus/" + f)) {
            if (in == null) {
                throw new IllegalStateException("corpus file missing: " + f);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Corpus> parse(String file, String text) {
        List<Corpus> out = new ArrayList<>();
        String[] parts = text.split("(?m)^=== ");
        for (int p = 1; p < parts.length; p++) {
            String part = parts[p];
            int nl = part.indexOf('\n');
            String name = part.substring(0, nl).strip();
            String rest = part.substring(nl + 1);
            int sep = rest.indexOf("\n---\n");
            if (rest.startsWith("---\n")) {
                sep = -1;
            }
            String header = sep < 0 ? "" : rest.substring(0, sep);
            String asm = sep < 0 ? rest.substring(4) : rest.substring(sep + 5);
            ProgramType type = ProgramType.XDP;
            AttachType attach = null;
            List<MapDescriptor> maps = List.of();
            List<byte[]> values = List.of();
            String funcs = null;
            boolean accept = true;
            Errno errno = null;
            String message = "";
            for (String h : header.split("\n")) {
                if (h.isBlank()) {
                    continue;
                }
                int c = h.indexOf(':');
                String key = h.substring(0, c).strip();
                String v = h.substring(c + 1).strip();
                switch (key) {
                    case "type" -> type = ProgramType.valueOf(v.toUpperCase(Locale.ROOT));
                    case "attach" -> attach = AttachType.valueOf(v.toUpperCase(Locale.ROOT));
                    case "maps" -> {
                        values = initialValues(v);
                        maps = maps(v, values);
                    }
                    case "funcs" -> funcs = v;
                    case "expect" -> {
                        if (v.equals("accept")) {
                            accept = true;
                        } else {
                            String[] w = v.split("\\s+", 3);
                            accept = false;
                            errno = Errno.valueOf(w[1]);
                            message = w.length > 2 ? w[2] : "";
                        }
                    }
                    default -> throw new IllegalArgumentException(file + ":" + name + ": unknown header " + key);
                }
            }
            out.add(new Corpus(name, file, type, attach, maps, values, funcs, accept, errno, message, asm));
        }
        return out;
    }

    private static List<byte[]> initialValues(String spec) {
        List<byte[]> l = new ArrayList<>();
        for (String m : spec.split(",")) {
            String v = null;
            for (String w : m.strip().split("\\s+")) {
                if (w.startsWith("value=")) {
                    v = w.substring(6);
                }
            }
            l.add(v == null ? null : HexFormat.of().parseHex(v));
        }
        return l;
    }

    private static List<MapDescriptor> maps(String spec, List<byte[]> values) {
        List<MapDescriptor> l = new ArrayList<>();
        int id = 1;
        for (String m : spec.split(",")) {
            String[] w = m.strip().split("\\s+");
            MapType t = MapType.valueOf(w[0].toUpperCase(Locale.ROOT));
            int valueSize = Integer.parseInt(w[2]);
            int flags = 0;
            int lock = -1;
            boolean frozen = false;
            for (int i = 4; i < w.length; i++) {
                if (w[i].startsWith("value=")) {
                    continue;
                }
                if (w[i].startsWith("lock=")) {
                    lock = Integer.parseInt(w[i].substring(5));
                } else if (w[i].equals("rdonly")) {
                    flags |= MapFlags.RDONLY_PROG;
                } else if (w[i].equals("wronly")) {
                    flags |= MapFlags.WRONLY_PROG;
                } else if (w[i].equals("frozen")) {
                    frozen = true;
                } else {
                    throw new IllegalArgumentException("bad map attribute " + w[i]);
                }
            }
            long valueBase = 0x2000_0000L * id;
            if (frozen) {
                // the verifier may read a frozen value: it lives in real memory
                MemorySegment mem = Arena.global().allocate(valueSize, 8);
                byte[] v = values.get(id - 1);
                if (v != null) {
                    MemorySegment.copy(v, 0, mem, ValueLayout.JAVA_BYTE, 0, Math.min(v.length, valueSize));
                }
                valueBase = mem.address();
            }
            l.add(new MapDescriptor(id, t, Integer.parseInt(w[1]), valueSize, Integer.parseInt(w[3]), flags, frozen, null, 0, lock,
                    0x1000_0000L * id, valueBase, Optional.empty()));
            id++;
        }
        return l;
    }
}
