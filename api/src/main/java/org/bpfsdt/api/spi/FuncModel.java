package org.bpfsdt.api.spi;

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
}
