package org.bpfsdt.api.isa;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

import org.bpfsdt.api.btf.LineInfo;

/**
 * What a listing prints above an instruction ({@link ObjdumpFormatter#format(List, IntFunction)},
 * {@code JitImage.listing}): the label of a function that starts there and the C source line
 * (BTF line_info) that starts there, as {@code ; source text @ file.c:12}.
 */
public final class ListingNotes implements IntFunction<String> {
    private final Map<Integer, String> functions;
    private final Map<Integer, LineInfo> lines = new TreeMap<>();

    private ListingNotes(Map<Integer, String> functions, List<LineInfo> lineInfo) {
        this.functions = new TreeMap<>(functions);
        // of several lines at one slot, the last is the one its code belongs to
        lineInfo.forEach(li -> lines.put(li.insnOff(), li));
        // clang marks a line again at each column it resumes; as llvm-objdump -S, print it once until another line comes
        LineInfo previous = null;
        for (var it = lines.values().iterator(); it.hasNext(); ) {
            LineInfo li = it.next();
            if (previous != null && previous.line() == li.line() && previous.file().equals(li.file())
                    && !this.functions.containsKey(li.insnOff())) {
                it.remove();
            } else {
                previous = li;
            }
        }
    }

    /**
     * Notes from {@code functions} (start slot to name; unnamed ones are left out) and
     * {@code lineInfo} (slots of the same instructions the listing prints).
     */
    public static ListingNotes of(Map<Integer, String> functions, List<LineInfo> lineInfo) {
        return new ListingNotes(functions, lineInfo);
    }

    /** Source lines only (where the listing labels functions itself). */
    public static ListingNotes sourceLines(List<LineInfo> lineInfo) {
        return new ListingNotes(Map.of(), lineInfo);
    }

    @Override
    public String apply(int slot) {
        String name = functions.get(slot);
        LineInfo line = lines.get(slot);
        if ((name == null || name.isEmpty()) && line == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        if (name != null && !name.isEmpty()) {
            sb.append(slot == 0 ? "" : "\n").append(name).append(":\n");
        }
        if (line != null) {
            sb.append(line.comment()).append('\n');
        }
        return sb.toString();
    }
}
