package org.bpfsdt.distribution.cli.prog;

import java.io.PrintWriter;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.BpfMap;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.RingBufferReader;
import org.bpfsdt.loader.GlobalVariable;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectMap;

/**
 * The maps of a loaded object as a person reads them: global data as {@code name = value}
 * variables, keyed maps entry by entry (keys and values as their BTF types say,
 * {@link BtfValues}; per-CPU values one per CPU), queues and stacks by popping them, ring
 * buffers by consuming their records, program arrays by program id.
 */
final class MapDump {
    /** Entries shown per map. */
    static final int MAX_ENTRIES = 64;

    private MapDump() {
    }

    static void print(LoadedObject loaded, PrintWriter out) {
        for (ObjectMap om : loaded.object().maps()) {
            BpfMap m = loaded.map(om.name());
            out.println("map " + om.name() + ": " + m.type() + ", key " + m.keySize() + " B, value " + m.valueSize() + " B, max "
                    + m.maxEntries() + " (id " + m.id() + ")");
            // global data maps are named after their section (.bss, .data.counters); .maps variables cannot start with a dot
            if (om.name().startsWith(".")) {
                for (GlobalVariable g : loaded.globals()) {
                    if (g.section().equals(om.name())) {
                        out.println("  " + g);
                    }
                }
                continue;
            }
            MapSpec spec = om.toSpec();
            Types types = new Types(spec.btf(), spec.btfKeyTypeId(), spec.btfValueTypeId());
            switch (m.type()) {
                case QUEUE, STACK -> values(m, types, out);
                case RINGBUF -> records(m, out);
                case BLOOM_FILTER -> out.println("  (a bloom filter answers membership queries; it has no entries to list)");
                case INSN_ARRAY -> out.println("  (instruction offsets; see the program's listing)");
                default -> entries(m, types, out);
            }
        }
    }

    /** The BTF of a map's keys and values, when the object has it. */
    private record Types(Btf btf, int key, int value) {
        String key(byte[] b) {
            return BtfValues.format(btf, key, b);
        }

        String value(byte[] b) {
            return BtfValues.format(btf, value, b);
        }
    }

    private static void entries(BpfMap m, Types types, PrintWriter out) {
        int shown = 0;
        int more = 0;
        for (Optional<byte[]> k = m.nextKey(null); k.isPresent(); k = m.nextKey(k.get())) {
            if (shown == MAX_ENTRIES) {
                more++;
                continue;
            }
            Optional<byte[]> v = m.lookup(k.get());
            if (v.isEmpty()) {
                continue;
            }
            String value = m.type() == MapType.PROG_ARRAY ? "program " + BtfValues.format(null, 0, v.get()) : format(m, types, v.get());
            out.println("  " + types.key(k.get()) + " = " + value);
            shown++;
        }
        if (shown == 0 && more == 0) {
            out.println("  (empty)");
        }
        if (more > 0) {
            out.println("  ... and " + more + " more");
        }
    }

    /** A value: per-CPU maps hold one (8-byte aligned) value per possible CPU. */
    private static String format(BpfMap m, Types types, byte[] v) {
        if (!m.type().isPerCpu()) {
            return types.value(v);
        }
        int stride = (m.valueSize() + 7) & ~7;
        List<String> cpus = new ArrayList<>();
        for (int off = 0; off + stride <= v.length; off += stride) {
            cpus.add(types.value(java.util.Arrays.copyOfRange(v, off, off + m.valueSize())));
        }
        return "per CPU [" + String.join(", ", cpus) + "]";
    }

    private static void values(BpfMap m, Types types, PrintWriter out) {
        List<String> popped = new ArrayList<>();
        for (Optional<byte[]> v = m.lookupAndDelete(null); v.isPresent(); v = m.lookupAndDelete(null)) {
            popped.add(types.value(v.get()));
        }
        out.println(popped.isEmpty() ? "  (empty)" : "  values, in pop order: " + String.join(", ", popped));
    }

    private static void records(BpfMap m, PrintWriter out) {
        try (RingBufferReader r = m.ringBufferReader()) {
            List<String> records = new ArrayList<>();
            r.consume(rec -> records.add(HexFormat.ofDelimiter(" ").formatHex(rec.toArray(ValueLayout.JAVA_BYTE))));
            if (records.isEmpty()) {
                out.println("  (no records)");
            }
            for (int i = 0; i < records.size(); i++) {
                out.println("  record " + i + ": " + records.get(i));
            }
        }
    }

}
