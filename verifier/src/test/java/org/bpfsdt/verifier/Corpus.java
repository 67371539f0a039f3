package org.bpfsdt.verifier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
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
 * maps: hash 4 8 16, array 4 48 1 lock=0 rdonly frozen
 * expect: accept | reject ERRNO message the verifier must give
 * ---
 * assembly (the conformance syntax; map[N] loads the program's map N)
 * </pre>
 */
public record Corpus(String name, String file, ProgramType type, AttachType attach, List<MapDescriptor> maps, boolean accept, Errno errno,
              String message, String asm) {

    static final String[] FILES = {"alu.bpf", "bounds.bpf", "stack.bpf", "ctx.bpf", "packet.bpf", "maps.bpf", "helpers.bpf",
            "pointers.bpf", "cfg.bpf", "calls.bpf", "refs.bpf", "loops.bpf", "returns.bpf", "malformed.bpf"};

    public List<Insn> insns() {
        return Assembler.assemble(asm);
    }

    public VerifierRequest request(int logLevel) {
        return new VerifierRequest(type, attach, insns(), maps, null, List.of(), List.of(), HelperProtos.forProgramType(type),
                ContextLayouts.forType(type, 5), null, 0, List.of(), true, logLevel);
    }

    @Override
    public String toString() {
        return file + ":" + name;
    }

    public static List<Corpus> all() {
        List<Corpus> all = new ArrayList<>();
        for (String f : FILES) {
            all.addAll(parse(f, read(f)));
        }
        return all;
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
                    case "maps" -> maps = maps(v);
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
            out.add(new Corpus(name, file, type, attach, maps, accept, errno, message, asm));
        }
        return out;
    }

    private static List<MapDescriptor> maps(String spec) {
        List<MapDescriptor> l = new ArrayList<>();
        int id = 1;
        for (String m : spec.split(",")) {
            String[] w = m.strip().split("\\s+");
            MapType t = MapType.valueOf(w[0].toUpperCase(Locale.ROOT));
            int flags = 0;
            int lock = -1;
            boolean frozen = false;
            for (int i = 4; i < w.length; i++) {
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
            l.add(new MapDescriptor(id, t, Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3]), flags, frozen, null, 0, lock,
                    0x1000_0000L * id, 0x2000_0000L * id, Optional.empty()));
            id++;
        }
        return l;
    }
}
