package org.bpfsdt.api.spi;

import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;

/**
 * The calling model a trampoline is built from ({@code struct btf_func_model}), with the SDT
 * seed's {@code arg_regs}: the register holding each argument at a probe site.
 *
 * @param nrArgs   number of arguments (0..5 at a probe site)
 * @param argSize  bytes of each argument (1, 2, 4 or 8)
 * @param argSigned whether each argument is a signed integer (sign-extended to u64, else zero-extended)
 * @param argRegs  the BPF register (r0..r9) that holds argument i at the probe site
 * @param retSize  bytes of the return value, 0 for void
 */
public record FuncModel(int nrArgs, int[] argSize, boolean[] argSigned, int[] argRegs, int retSize) {
    public static final int MAX_REG_ARGS = 5;

    public FuncModel {
        if (nrArgs < 0 || nrArgs > MAX_REG_ARGS || argSize.length < nrArgs || argSigned.length < nrArgs || argRegs.length < nrArgs) {
            throw new IllegalArgumentException("bad function model: " + nrArgs + " arguments");
        }
        argSize = argSize.clone();
        argSigned = argSigned.clone();
        argRegs = argRegs.clone();
    }

    /**
     * The model of an SDT probe: argument sizes and signedness from its FUNC_PROTO in the target's
     * {@code btf} (integers, enums and pointers, through typedefs and qualifiers; pointers are
     * unsigned 8-byte values), registers from the probe. {@code EINVAL} naming the probe when the
     * FUNC_PROTO is missing, has another number of parameters, or a parameter no register can hold.
     */
    public static FuncModel ofProbe(Btf btf, SdtProbe probe) {
        String what = "SDT probe '" + probe.name() + "'";
        if (btf == null) {
            throw new BpfException(Errno.EINVAL, what + ": its program has no BTF to type the arguments");
        }
        if (probe.btfId() <= 0 || probe.btfId() >= btf.size() || !(btf.type(probe.btfId()) instanceof BtfType.FuncProto proto)) {
            throw new BpfException(Errno.EINVAL, what + ": BTF type " + probe.btfId() + " is not a FUNC_PROTO");
        }
        List<BtfType.Param> params = proto.params();
        if (params.size() != probe.nrArgs()) {
            throw new BpfException(Errno.EINVAL, what + ": its FUNC_PROTO has " + params.size() + " parameters but the site records "
                    + probe.nrArgs() + " argument registers");
        }
        int n = params.size();
        int[] size = new int[n];
        boolean[] signed = new boolean[n];
        for (int i = 0; i < n; i++) {
            int type = params.get(i).type();
            BtfType t = type == 0 ? null : btf.resolve(type);
            switch (t) {
                case BtfType.Int it when it.size() <= 8 && Integer.bitCount(it.size()) == 1 -> {
                    size[i] = it.size();
                    signed[i] = it.isSigned();
                }
                case BtfType.Enum e when e.size() <= 8 && Integer.bitCount(e.size()) == 1 -> {
                    size[i] = e.size();
                    signed[i] = e.signed();
                }
                case BtfType.Enum64 e -> {
                    size[i] = 8;
                    signed[i] = e.signed();
                }
                case BtfType.Ptr p -> size[i] = 8;
                case null -> throw new BpfException(Errno.EINVAL, what + ": argument " + i + " is variadic or void");
                default -> throw new BpfException(Errno.EINVAL, what + ": argument " + i + " has type '" + btf.typeName(type)
                        + "', which a register cannot hold (integers, enums and pointers of at most 8 bytes)");
            }
        }
        return new FuncModel(n, size, signed, probe.argRegs(), 0);
    }

    /** Argument {@code i} as the u64 an observer reads: {@code reg} truncated to its size and extended as its type says. */
    public long argValue(int i, long reg) {
        return switch (argSize[i]) {
            case 1 -> argSigned[i] ? (byte) reg : reg & 0xffL;
            case 2 -> argSigned[i] ? (short) reg : reg & 0xffffL;
            case 4 -> argSigned[i] ? (int) reg : reg & 0xffff_ffffL;
            default -> reg;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FuncModel m && m.nrArgs == nrArgs && m.retSize == retSize && java.util.Arrays.equals(m.argSize, argSize)
                && java.util.Arrays.equals(m.argSigned, argSigned) && java.util.Arrays.equals(m.argRegs, argRegs);
    }

    @Override
    public int hashCode() {
        return (nrArgs * 31 + java.util.Arrays.hashCode(argSize)) * 31 + java.util.Arrays.hashCode(argRegs);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < nrArgs; i++) {
            sb.append(i == 0 ? "" : ", ").append(argSigned[i] ? "s" : "u").append(8 * argSize[i]).append(" in r").append(argRegs[i]);
        }
        return sb.append(')').toString();
    }

    @Override
    public int[] argSize() {
        return argSize.clone();
    }

    @Override
    public boolean[] argSigned() {
        return argSigned.clone();
    }

    @Override
    public int[] argRegs() {
        return argRegs.clone();
    }
}
