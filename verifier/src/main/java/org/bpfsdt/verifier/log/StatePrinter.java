package org.bpfsdt.verifier.log;

import java.util.List;

import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.verifier.domain.FuncState;
import org.bpfsdt.verifier.domain.RefState;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.domain.StackSlot;
import org.bpfsdt.verifier.domain.VerifierState;

/** Prints register and stack state in the kernel log's notation: {@code R1=ctx() R10=fp0 fp-8=mmmmmmmm}. */
public final class StatePrinter {
    private final List<MapDescriptor> maps;

    public StatePrinter(List<MapDescriptor> maps) {
        this.maps = maps;
    }

    /** The type as {@code reg_type_str} names it: {@code map_value_or_null}, {@code rdonly_mem}. */
    public static String typeName(RegState r) {
        return typeName(r.type, r.flags);
    }

    public static String typeName(RegType type, int flags) {
        StringBuilder sb = new StringBuilder();
        if ((flags & RegState.RDONLY) != 0) {
            sb.append("rdonly_");
        }
        if ((flags & RegState.RINGBUF) != 0) {
            sb.append("ringbuf_");
        }
        sb.append(type.logName());
        if ((flags & RegState.MAYBE_NULL) != 0) {
            sb.append(type == RegType.PTR_TO_BTF_ID ? "or_null_" : "_or_null");
        }
        return sb.toString();
    }

    /** One register's value ({@code print_reg_state}). */
    public void appendReg(StringBuilder out, FuncState frame, RegState r) {
        RegType t = r.type;
        if (t == RegType.SCALAR && r.precise) {
            out.append('P');
        }
        if (t == RegType.SCALAR && r.isConst()) {
            out.append(snum(r.tValue));
            return;
        }
        out.append(typeName(r));
        if (t == RegType.PTR_TO_STACK) {
            if (frame != null && frame.frameNo != r.frameNo) {
                out.append('[').append(r.frameNo).append(']');
            }
            if (r.isConst()) {
                out.append(snum(r.tValue + r.off));
                return;
            }
        }
        out.append('(');
        Sep sep = new Sep(out);
        if (r.id != 0) {
            sep.add("id=" + r.id + (r.addConst ? String.format("%+d", r.off) : ""));
        }
        if (r.refObjId != 0) {
            sep.add("ref_obj_id=" + r.refObjId);
        }
        if ((t == RegType.CONST_PTR_TO_MAP || t == RegType.PTR_TO_MAP_VALUE || t == RegType.PTR_TO_MAP_KEY) && r.mapIndex >= 0
                && r.mapIndex < maps.size()) {
            MapDescriptor m = maps.get(r.mapIndex);
            sep.add("ks=" + m.keySize() + ",vs=" + m.valueSize());
        }
        if (t != RegType.SCALAR && r.off != 0) {
            sep.add("off=" + r.off);
        }
        if (t.isPacket()) {
            sep.add("r=" + r.range);
        }
        if (t == RegType.PTR_TO_MEM) {
            sep.add("sz=" + r.memSize);
        }
        if (r.isConst()) {
            if (r.tValue != 0) {
                sep.add("imm=" + Long.toHexString(r.tValue));
            }
        } else {
            scalarRanges(sep, r);
            if (r.tMask != -1L) {
                sep.add("var_off=" + r.varOff());
            }
        }
        out.append(')');
    }

    /** The registers and stack of {@code frame}; {@code regMask}/{@code slotMask} select what to print ({@code -1}: everything). */
    public void appendFrame(StringBuilder out, VerifierState st, FuncState f, int regMask, long slotMask, boolean all) {
        for (int i = 0; i < f.regs.length; i++) {
            RegState r = f.regs[i];
            if (r.type == RegType.NOT_INIT || (!all && (regMask & (1 << i)) == 0)) {
                continue;
            }
            out.append(" R").append(i).append('=');
            appendReg(out, f, r);
        }
        for (int spi = 0; spi < f.allocated / 8; spi++) {
            if (!all && (slotMask & (1L << spi)) == 0) {
                continue;
            }
            char[] types = new char[8];
            boolean valid = false;
            for (int j = 0; j < 8; j++) {
                byte b = f.slotType[spi * 8 + j];
                valid |= b != StackSlot.INVALID;
                types[j] = StackSlot.letter(b);
            }
            if (!valid) {
                continue;
            }
            out.append(" fp").append(-(spi + 1) * 8).append('=');
            if (f.slotType[spi * 8 + 7] == StackSlot.SPILL && f.spilled[spi] != null) {
                int j = 0;
                while (j < 8 && f.slotType[spi * 8 + j] != StackSlot.SPILL) {
                    j++;
                }
                out.append(types, 0, j);
                appendReg(out, f, f.spilled[spi]);
            } else {
                out.append(types);
            }
        }
        if (st != null && st.refs.length > 0) {
            StringBuilder ids = new StringBuilder();
            for (RefState ref : st.refs) {
                if (!ref.lock()) {
                    ids.append(ids.isEmpty() ? "" : ",").append(ref.id());
                }
            }
            if (!ids.isEmpty()) {
                out.append(" refs=").append(ids);
            }
        }
        if (f.inCallback) {
            out.append(" cb");
        }
    }

    private static void scalarRanges(Sep sep, RegState r) {
        String[] names = {"smin", "smax", "umin", "umax", "smin32", "smax32", "umin32", "umax32"};
        long s32min = snumDecimal(r.s32min) ? r.s32min : r.s32min & 0xffffffffL;
        long s32max = snumDecimal(r.s32max) ? r.s32max : r.s32max & 0xffffffffL;
        long[] vals = {r.smin, r.smax, r.umin, r.umax, s32min, s32max, r.u32min & 0xffffffffL, r.u32max & 0xffffffffL};
        boolean[] omit = {r.smin == Long.MIN_VALUE, r.smax == Long.MAX_VALUE, r.umin == 0, r.umax == -1L,
                r.s32min == Integer.MIN_VALUE, r.s32max == Integer.MAX_VALUE, r.u32min == 0, r.u32max == -1};
        for (int a = 0; a < 8; a++) {
            if (omit[a]) {
                continue;
            }
            boolean neg1 = names[a].charAt(0) == 's' && vals[a] < 0;
            StringBuilder item = new StringBuilder(names[a]).append('=');
            for (int b = a + 2; b < 8; b += 2) {
                if (omit[b] || vals[b] != vals[a]) {
                    continue;
                }
                boolean neg2 = names[b].charAt(0) == 's' && vals[b] < 0;
                if (neg2 != neg1) {
                    continue;
                }
                omit[b] = true;
                item.append(names[b]).append('=');
            }
            item.append(names[a].charAt(0) == 's' ? snum(vals[a]) : unum(vals[a]));
            sep.add(item.toString());
        }
    }

    private static boolean snumDecimal(long v) {
        return v >= -512 && v <= 512;
    }

    /** A signed number as the kernel prints it: decimal near zero, hex otherwise. */
    public static String snum(long v) {
        return snumDecimal(v) ? Long.toString(v) : "0x" + Long.toHexString(v);
    }

    public static String unum(long v) {
        return Long.compareUnsigned(v, 512) <= 0 ? Long.toUnsignedString(v) : "0x" + Long.toHexString(v);
    }

    private static final class Sep {
        private final StringBuilder out;
        private boolean first = true;

        Sep(StringBuilder out) {
            this.out = out;
        }

        void add(String s) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(s);
        }
    }
}
