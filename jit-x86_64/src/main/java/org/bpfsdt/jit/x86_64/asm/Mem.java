package org.bpfsdt.jit.x86_64.asm;

/**
 * A memory operand {@code [base + index*scale + disp]}.
 *
 * @param base  base register
 * @param index index register, or {@code null}
 * @param scale 1, 2, 4 or 8 (1 without an index)
 * @param disp  signed 32-bit displacement
 */
public record Mem(Reg base, Reg index, int scale, int disp) {
    public Mem {
        if (base == null) {
            throw new IllegalArgumentException("a memory operand needs a base register");
        }
        if (index == Reg.RSP) {
            throw new IllegalArgumentException("rsp cannot be an index register");
        }
        if (scale != 1 && scale != 2 && scale != 4 && scale != 8) {
            throw new IllegalArgumentException("scale " + scale + " is not 1, 2, 4 or 8");
        }
    }

    public static Mem of(Reg base, int disp) {
        return new Mem(base, null, 1, disp);
    }

    public static Mem of(Reg base) {
        return new Mem(base, null, 1, 0);
    }

    public static Mem indexed(Reg base, Reg index, int scale, int disp) {
        return new Mem(base, index, scale, disp);
    }

    /** Intel syntax, as {@code llvm-mc} prints it: {@code [rbp - 8]}, {@code [r11 + 8*r10]}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[").append(base.name(Width.QWORD));
        if (index != null) {
            s.append(" + ").append(scale).append('*').append(index.name(Width.QWORD));
        }
        if (disp != 0) {
            s.append(disp < 0 ? " - " : " + ").append(Math.abs((long) disp));
        }
        return s.append(']').toString();
    }
}
