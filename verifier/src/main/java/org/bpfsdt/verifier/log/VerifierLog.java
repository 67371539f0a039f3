package org.bpfsdt.verifier.log;

import java.util.List;

import org.bpfsdt.api.btf.LineInfo;

/**
 * The verifier's log ({@code struct bpf_verifier_log}): level 1 keeps the path being explored
 * (the log is cut back when a finished path is popped), level 2 keeps every path with states.
 * Source lines from BTF line_info are printed above the instructions they start.
 */
public final class VerifierLog {
    private final int level;
    private final StringBuilder sb = new StringBuilder();
    private final LineInfo[] lineInfo;
    private LineInfo prevLine;
    /** Where the last instruction line ended, so a state can be appended to it after a {@code ;}. */
    private int prevLogPos = -1;
    private int prevInsnPrintLen;

    public VerifierLog(int level, List<LineInfo> lineInfo) {
        this.level = level;
        this.lineInfo = level == 0 ? new LineInfo[0]
                : lineInfo.stream().sorted((a, b) -> Integer.compare(a.insnOff(), b.insnOff())).toArray(LineInfo[]::new);
    }

    public boolean enabled() {
        return level > 0;
    }

    public boolean level2() {
        return level >= 2;
    }

    public void print(String s) {
        if (level > 0) {
            sb.append(s);
        }
    }

    public void printf(String fmt, Object... args) {
        if (level > 0) {
            sb.append(String.format(fmt, args));
        }
    }

    public int position() {
        return sb.length();
    }

    /** Cuts the log back to {@code pos} (level 1 forgets finished paths). */
    public void reset(int pos) {
        if (pos < sb.length()) {
            sb.setLength(pos);
        }
        if (prevLogPos > sb.length()) {
            prevLogPos = -1;
        }
        prevLine = null;
    }

    /** {@code ; source @ file:line} when instruction {@code insn} starts a new source line. */
    public void lineInfo(int insn) {
        if (level == 0 || lineInfo.length == 0) {
            return;
        }
        LineInfo li = find(insn);
        if (li == null || li == prevLine) {
            return;
        }
        String file = li.file();
        int slash = file.lastIndexOf('/');
        sb.append("; ").append(li.source().stripLeading()).append(" @ ").append(slash >= 0 ? file.substring(slash + 1) : file)
                .append(':').append(li.line()).append('\n');
        prevLine = li;
    }

    /** The line_info entry covering instruction {@code insn}, or null. */
    public LineInfo find(int insn) {
        int lo = 0, hi = lineInfo.length - 1, best = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (lineInfo[mid].insnOff() <= insn) {
                best = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best < 0 ? null : lineInfo[best];
    }

    /** Prints {@code N: text} for an instruction and remembers where, so its resulting state can follow on the same line. */
    public void insn(int idx, String text) {
        if (level == 0) {
            return;
        }
        int start = sb.length();
        sb.append(idx).append(": ").append(text);
        prevInsnPrintLen = sb.length() - start;
        sb.append('\n');
        prevLogPos = sb.length();
    }

    /**
     * Starts a state print: after {@code "; "} on the instruction's own line when nothing was printed since,
     * else on a new line {@code N:} (the kernel's print_insn_state).
     */
    public void beginInsnState(int idx) {
        if (prevLogPos >= 0 && prevLogPos == sb.length()) {
            sb.setLength(sb.length() - 1);
            int pad = alignment(prevInsnPrintLen) - prevInsnPrintLen;
            sb.append(" ".repeat(Math.max(1, pad))).append(';');
        } else {
            sb.append(idx).append(':');
        }
    }

    private static int alignment(int pos) {
        return Math.max(pos + 8 - pos % 8 - 1, 40);
    }

    public void endLine() {
        if (level > 0) {
            sb.append('\n');
            prevLogPos = -1;
        }
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
