package org.bpfsdt.loader;

import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfKind;
import org.bpfsdt.api.btf.BtfType;

/** The text of {@code bpfsdt obj show}: what an object holds, section by section; absent parts are left out. */
final class ObjectReport {
    private ObjectReport() {
    }

    static String of(ObjectFile obj) {
        StringBuilder sb = new StringBuilder();
        sb.append("object ").append(obj.name()).append(" (").append(obj.fileName()).append(")");
        if (!obj.license().isEmpty()) {
            sb.append("  license \"").append(obj.license()).append('"');
        }
        sb.append('\n');
        if (!obj.programs().isEmpty()) {
            sb.append("programs:\n");
            for (ObjectProgram p : obj.programs()) {
                sb.append("  ").append(p.name()).append("  section ").append(p.section())
                        .append("  type ").append(p.type() == null ? "unknown" : p.type());
                if (p.attachType() != null) {
                    sb.append("  attach ").append(p.attachType());
                }
                if (!p.attachTarget().isEmpty()) {
                    sb.append("  target ").append(p.attachTarget());
                }
                sb.append("  insns ").append(p.instructionCount());
                if (!p.subprograms().isEmpty()) {
                    sb.append("  subprograms ").append(String.join(",", p.subprograms()));
                }
                if (!p.mapNames().isEmpty()) {
                    sb.append("  maps ").append(String.join(",", p.mapNames()));
                }
                if (!p.sdtProbes().isEmpty()) {
                    sb.append("  sdt ").append(String.join(",", p.sdtProbes().keySet()));
                }
                sb.append('\n');
            }
        }
        if (!obj.maps().isEmpty()) {
            sb.append("maps:\n");
            for (ObjectMap m : obj.maps()) {
                sb.append("  ").append(m.name());
                if (!m.kernelName().equals(m.name())) {
                    sb.append(" (").append(m.kernelName()).append(')');
                }
                sb.append("  ").append(m.describe()).append('\n');
            }
        }
        if (!obj.globals().isEmpty()) {
            sb.append("globals:\n");
            for (GlobalVariable g : obj.globals()) {
                sb.append("  ").append(g.section()).append('+').append(g.offset()).append("  ").append(g.declaration())
                        .append(g.isGlobal() ? "" : " (static)").append(" = ").append(g.formatValue()).append('\n');
            }
        }
        if (!obj.sdtProbes().isEmpty()) {
            sb.append("sdt probes:\n");
            obj.sdtProbes().forEach(p -> sb.append("  ").append(sdtLine(p)).append('\n'));
        }
        obj.btf().ifPresent(btf -> sb.append("btf: ").append(summary(btf)).append('\n'));
        if (!obj.notes().isEmpty()) {
            sb.append("notes:\n");
            obj.notes().forEach(n -> sb.append("  ").append(n).append('\n'));
        }
        return sb.toString();
    }

    /** {@code probe_len_ret(int, int)  args r3,r2  nop xdp+4  in target@4}: declaration, registers, NOP, programs. */
    static String sdtLine(ObjectSdtProbe p) {
        StringBuilder sb = new StringBuilder(p.declaration());
        if (p.argCount() > 0) {
            sb.append("  args ").append(java.util.Arrays.stream(p.argRegs()).mapToObj(r -> "r" + r).collect(Collectors.joining(",")));
        }
        sb.append("  nop ").append(p.section()).append('+').append(p.sectionInsn());
        var sites = p.sites();
        sb.append(sites.isEmpty() ? "  in no program" : "  in " + sites.stream().map(s -> s.program() + "@" + s.insn())
                .collect(Collectors.joining(",")));
        return sb.toString();
    }

    /** {@code 42 types (STRUCT 3, FUNC 2, ...)}. */
    static String summary(Btf btf) {
        Map<BtfKind, Integer> counts = new EnumMap<>(BtfKind.class);
        for (BtfType t : btf.types().subList(1, btf.size())) {
            counts.merge(t.kind(), 1, Integer::sum);
        }
        return (btf.size() - 1) + " types (" + counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")) + ")";
    }
}
