package org.bpfsdt.api.spi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.bpfsdt.api.BpfException;

/**
 * One value of an INSN_ARRAY map: the kernel's {@code struct bpf_insn_array_value
 * { u32 orig_off; u32 xlated_off; u32 jitted_off; u32 :32; }} ({@value #SIZE} bytes), and with
 * {@link org.bpfsdt.api.MapFlags#INSN_ARRAY_SDT} the SDT probe fields after it
 * ({@value #SDT_SIZE} bytes in all):
 * <pre>
 *  0 u32 orig_off      instruction offset as loaded (the only field Java writes besides the SDT fields)
 *  4 u32 xlated_off    offset after the verifier's rewrites, 0xffffffff when the instruction was removed
 *  8 u32 jitted_off    byte offset of the instruction's native code
 * 12 u32 reserved
 * 16 u32 btf_id        the probe's FUNC_PROTO in the program's BTF
 * 20 u8  nr_args       0..5
 * 21 u8  arg_regs[5]   the register holding argument i at the site (r0..r10)
 * 26 u8  reserved[6]
 * 32 char name[64]     the probe name, NUL-terminated
 * </pre>
 * Reserved bytes are zero. Java updates give {@code xlated_off = jitted_off = 0}; the runtime
 * fills them in when a program is loaded with the map.
 *
 * @param origOff   instruction offset as loaded
 * @param xlatedOff offset after the verifier's rewrites, or {@link #DELETED}
 * @param jittedOff native byte offset, or 0
 * @param probeName the SDT probe name, {@code ""} for a plain entry
 * @param btfId     the probe's FUNC_PROTO id, 0 for a plain entry
 * @param argRegs   the register of each argument at the site (length = number of arguments)
 */
public record InsnArrayValue(int origOff, int xlatedOff, int jittedOff, String probeName, int btfId, int[] argRegs) {
    /** Bytes of a plain value. */
    public static final int SIZE = 16;
    /** Bytes of a value of a map with the SDT flag. */
    public static final int SDT_SIZE = 96;
    public static final int ORIG_OFF = 0, XLATED_OFF = 4, JITTED_OFF = 8;
    public static final int SDT_BTF_ID = 16, SDT_NR_ARGS = 20, SDT_ARG_REGS = 21, SDT_NAME = 32;
    /** Bytes of the name field, NUL included: names have at most 63 characters. */
    public static final int SDT_NAME_LEN = 64;
    /** {@code xlated_off} of an instruction the verifier removed (the kernel's {@code INSN_DELETED}). */
    public static final int DELETED = -1;
    /** Highest register number an argument may live in (r10, the frame pointer). */
    public static final int MAX_ARG_REG = 10;

    public InsnArrayValue {
        probeName = probeName == null ? "" : probeName;
        argRegs = argRegs == null ? new int[0] : argRegs.clone();
        if (!probeName.isEmpty() && !isProbeName(probeName)) {
            throw BpfException.einval("SDT probe name '" + probeName + "' must be 1.." + (SDT_NAME_LEN - 1)
                    + " characters of [A-Za-z0-9_.]");
        }
        if (argRegs.length > FuncModel.MAX_REG_ARGS) {
            throw BpfException.einval("SDT probe '" + probeName + "' has " + argRegs.length + " arguments; at most "
                    + FuncModel.MAX_REG_ARGS + " are allowed");
        }
        for (int r : argRegs) {
            if (r < 0 || r > MAX_ARG_REG) {
                throw BpfException.einval("SDT probe '" + probeName + "': argument register r" + r + " does not exist");
            }
        }
    }

    /** A plain entry for the instruction at {@code origOff}, as Java writes it. */
    public static InsnArrayValue of(int origOff) {
        return new InsnArrayValue(origOff, 0, 0, "", 0, null);
    }

    /** An SDT probe entry for the NOP at {@code origOff}, as the loader writes it. */
    public static InsnArrayValue probe(int origOff, String name, int btfId, int... argRegs) {
        if (name == null || name.isEmpty()) {
            throw BpfException.einval("an SDT probe needs a name");
        }
        return new InsnArrayValue(origOff, 0, 0, name, btfId, argRegs);
    }

    /** Whether {@code name} fits the name field and uses only identifier characters (and dots). */
    public static boolean isProbeName(String name) {
        if (name.isEmpty() || name.length() >= SDT_NAME_LEN) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The value size of an INSN_ARRAY map with ({@code sdt}) or without the SDT flag. */
    public static int size(boolean sdt) {
        return sdt ? SDT_SIZE : SIZE;
    }

    public boolean isDeleted() {
        return xlatedOff == DELETED;
    }

    public int nrArgs() {
        return argRegs.length;
    }

    /** This entry as an SDT probe ({@code xlatedOff} -1 when deleted). */
    public SdtProbe toProbe() {
        return new SdtProbe(probeName, origOff, xlatedOff, btfId, argRegs);
    }

    /** The bytes of this value for a map with ({@code sdt}) or without the SDT flag. */
    public byte[] encode(boolean sdt) {
        byte[] out = new byte[size(sdt)];
        MemorySegment seg = MemorySegment.ofArray(out);
        seg.set(ValueLayout.JAVA_INT_UNALIGNED, ORIG_OFF, origOff);
        seg.set(ValueLayout.JAVA_INT_UNALIGNED, XLATED_OFF, xlatedOff);
        seg.set(ValueLayout.JAVA_INT_UNALIGNED, JITTED_OFF, jittedOff);
        if (sdt) {
            seg.set(ValueLayout.JAVA_INT_UNALIGNED, SDT_BTF_ID, btfId);
            out[SDT_NR_ARGS] = (byte) argRegs.length;
            for (int i = 0; i < argRegs.length; i++) {
                out[SDT_ARG_REGS + i] = (byte) argRegs[i];
            }
            byte[] name = probeName.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, out, SDT_NAME, name.length);
        } else if (!probeName.isEmpty()) {
            throw BpfException.einval("probe '" + probeName + "' needs an INSN_ARRAY map with the SDT flag");
        }
        return out;
    }

    /** Reads a value ({@link #size(boolean)} bytes of {@code value}); {@code EINVAL} when its SDT fields are malformed. */
    public static InsnArrayValue decode(MemorySegment value, boolean sdt) {
        int orig = value.get(ValueLayout.JAVA_INT_UNALIGNED, ORIG_OFF);
        int xlated = value.get(ValueLayout.JAVA_INT_UNALIGNED, XLATED_OFF);
        int jitted = value.get(ValueLayout.JAVA_INT_UNALIGNED, JITTED_OFF);
        if (!sdt) {
            return new InsnArrayValue(orig, xlated, jitted, "", 0, null);
        }
        int nrArgs = Byte.toUnsignedInt(value.get(ValueLayout.JAVA_BYTE, SDT_NR_ARGS));
        if (nrArgs > FuncModel.MAX_REG_ARGS) {
            throw BpfException.einval("SDT entry has " + nrArgs + " arguments; at most " + FuncModel.MAX_REG_ARGS + " are allowed");
        }
        int[] regs = new int[nrArgs];
        for (int i = 0; i < nrArgs; i++) {
            regs[i] = Byte.toUnsignedInt(value.get(ValueLayout.JAVA_BYTE, SDT_ARG_REGS + i));
        }
        return new InsnArrayValue(orig, xlated, jitted, readName(value), value.get(ValueLayout.JAVA_INT_UNALIGNED, SDT_BTF_ID), regs);
    }

    private static String readName(MemorySegment value) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < SDT_NAME_LEN; i++) {
            byte b = value.get(ValueLayout.JAVA_BYTE, SDT_NAME + i);
            if (b == 0) {
                return sb.toString();
            }
            sb.append((char) (b & 0xff));
        }
        throw BpfException.einval("SDT probe name is not NUL-terminated within " + SDT_NAME_LEN + " bytes");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InsnArrayValue v && v.origOff == origOff && v.xlatedOff == xlatedOff && v.jittedOff == jittedOff
                && v.probeName.equals(probeName) && v.btfId == btfId && Arrays.equals(v.argRegs, argRegs);
    }

    @Override
    public int hashCode() {
        return ((origOff * 31 + xlatedOff) * 31 + jittedOff) * 31 + probeName.hashCode() * 31 + Arrays.hashCode(argRegs);
    }

    @Override
    public int[] argRegs() {
        return argRegs.clone();
    }

    @Override
    public String toString() {
        String offs = "orig_off=" + origOff + " xlated_off=" + (isDeleted() ? "deleted" : Integer.toString(xlatedOff)) + " jitted_off=" + jittedOff;
        return probeName.isEmpty() ? offs : probeName + " (" + offs + " btf_id=" + btfId + " arg_regs=" + Arrays.toString(argRegs) + ")";
    }
}
