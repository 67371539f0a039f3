package org.bpfsdt.jit.x86_64.codegen;

import java.util.List;

import org.bpfsdt.jit.x86_64.asm.Mem;
import org.bpfsdt.jit.x86_64.asm.Reg;

/**
 * One function's native frame.
 *
 * <pre>
 *   [rbp + 8]                       return address
 *   [rbp]                           caller's rbp
 *   [rbp - stackDepth, rbp)         the BPF stack (r10 = rbp)
 *   [rbp - stackDepth - 8]          may_goto budget, when the function uses may_goto
 *   below                           saved r6..r9 registers it uses, padding to keep rsp 16-aligned
 * </pre>
 *
 * A leaf that never touches r10 and calls nothing gets no frame at all: it only saves the
 * callee-saved registers it uses (an SDT probe site in it may then sit 8 bytes off the 16-byte
 * alignment: its trampoline has an entry for that, so a probe makes no frame).
 *
 * @param index      function index (0 = main)
 * @param name       its name, or {@code ""}
 * @param start      first slot
 * @param end        one past its last slot
 * @param stackDepth BPF stack bytes (a multiple of 8)
 * @param saved      callee-saved registers it writes, in push order
 * @param framed     whether it sets up {@code rbp} and a 16-byte aligned frame
 * @param mayGoto    whether it keeps a may_goto budget
 * @param localBytes bytes reserved below {@code rbp} (stack, budget, alignment padding)
 */
record FunctionPlan(int index, String name, int start, int end, int stackDepth, List<Reg> saved, boolean framed, boolean mayGoto,
                    int localBytes) {

    FunctionPlan {
        saved = List.copyOf(saved);
    }

    static FunctionPlan of(int index, String name, int start, int end, int stackDepth, List<Reg> saved, boolean framed, boolean mayGoto) {
        int local = 0;
        if (framed) {
            local = stackDepth + (mayGoto ? 8 : 0);
            // entry rsp is 8 mod 16; push rbp makes it 0; keep it 0 after locals and saves
            if ((local + 8 * saved.size()) % 16 != 0) {
                local += 8;
            }
        }
        return new FunctionPlan(index, name, start, end, stackDepth, saved, framed, mayGoto, local);
    }

    /** Whether rsp is 16-aligned in the body: a frame keeps it so; without one, an odd number of saves does. */
    boolean stackAligned() {
        return framed || saved.size() % 2 == 1;
    }

    /** The slot holding the may_goto budget. */
    Mem mayGotoSlot() {
        return Mem.of(Reg.RBP, -stackDepth - 8);
    }

    boolean contains(int slot) {
        return slot >= start && slot < end;
    }
}
