package org.bpfsdt.api.spi;

/**
 * One SDT probe of a target program: an entry of its INSN_ARRAY map with the SDT flag.
 *
 * @param name      probe name (unique in the program)
 * @param origOff   instruction offset of the NOP ({@code goto +0}) as loaded
 * @param xlatedOff its offset after the verifier's rewrites, or -1 if deleted
 * @param btfId     the FUNC_PROTO describing the arguments, in the target program's BTF
 * @param argRegs   the register holding each argument at the site (length = number of arguments)
 */
public record SdtProbe(String name, int origOff, int xlatedOff, int btfId, int[] argRegs) {
    public SdtProbe {
        argRegs = argRegs.clone();
    }

    public int nrArgs() {
        return argRegs.length;
    }

    @Override
    public int[] argRegs() {
        return argRegs.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SdtProbe p && p.name.equals(name) && p.origOff == origOff && p.xlatedOff == xlatedOff && p.btfId == btfId
                && java.util.Arrays.equals(p.argRegs, argRegs);
    }

    @Override
    public int hashCode() {
        return ((name.hashCode() * 31 + origOff) * 31 + xlatedOff) * 31 + java.util.Arrays.hashCode(argRegs);
    }

    @Override
    public String toString() {
        return name + " (orig_off=" + origOff + " xlated_off=" + xlatedOff + " btf_id=" + btfId + " arg_regs=" + java.util.Arrays.toString(argRegs) + ")";
    }
}
