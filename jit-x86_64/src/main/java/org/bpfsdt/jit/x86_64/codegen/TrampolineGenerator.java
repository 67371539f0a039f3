package org.bpfsdt.jit.x86_64.codegen;

import static org.bpfsdt.jit.x86_64.codegen.RegisterMap.AUX;

import java.util.Arrays;
import java.util.List;

import org.bpfsdt.api.spi.FuncModel;
import org.bpfsdt.jit.x86_64.asm.Mem;
import org.bpfsdt.jit.x86_64.asm.Reg;
import org.bpfsdt.jit.x86_64.asm.Width;
import org.bpfsdt.jit.x86_64.asm.X86Assembler;
import org.bpfsdt.jit.x86_64.asm.X86Assembler.AluOp;

/**
 * The code an attached SDT probe site calls. The site is a NOP to the program around it, so the
 * trampoline preserves every BPF register: it saves the caller-saved ones (r0..r5; the observers
 * are System V functions, which keep r6..r9, r10 and the tail call budget), stores the arguments
 * as u64s extended as their declared types say, calls each observer with a pointer to them,
 * restores and returns. The flags and the JIT's scratch registers are dead at a probe site.
 * Observers compiled by this JIT are entered at their main function, one call fewer per hit.
 * A site sits on a 16-aligned stack, or 8 bytes off it in a leaf without a frame (which a probe
 * does not make keep one, so a detached probe costs its NOP alone): the trampoline has an entry
 * for each; the second pushes one word more (a push, which the processor's stack tracking
 * handles cheaply, not a {@code sub rsp}), so the observers are called on an aligned stack.
 */
public final class TrampolineGenerator {
    /** BPF r0..r5 in push order. */
    private static final Reg[] SAVED = {
        RegisterMap.of(0), RegisterMap.of(1), RegisterMap.of(2), RegisterMap.of(3), RegisterMap.of(4), RegisterMap.of(5),
    };
    /** Room for the largest argument array; with the six saves it keeps rsp 16-aligned at each call. */
    private static final int ARGS_BYTES = 8 * FuncModel.MAX_REG_ARGS;

    private TrampolineGenerator() {
    }

    /**
     * An observer to call: its System V entry, or the main function of an image of this JIT
     * ({@link NativeCode#BODY_OFFSET} past its entry), which the trampoline calls directly after
     * giving it a tail call budget, saving the entry stub's call.
     *
     * @param address where to call
     * @param body    whether {@code address} is a main function that needs the budget register set
     */
    public record ObserverCall(long address, boolean body) {
    }

    /**
     * A trampoline's machine code: entered at 0 from a site on a 16-aligned stack, at
     * {@code unalignedEntry} from a site 8 bytes off it.
     */
    public record Code(byte[] bytes, int unalignedEntry) {
    }

    public static Code generate(FuncModel model, List<ObserverCall> observers) {
        for (int i = 0; i < model.nrArgs(); i++) {
            int size = model.argSize()[i];
            if (size != 1 && size != 2 && size != 4 && size != 8) {
                throw new IllegalArgumentException("argument " + i + " is " + size + " bytes; a probe argument is 1, 2, 4 or 8");
            }
            if (model.argRegs()[i] < 0 || model.argRegs()[i] > 10) {
                throw new IllegalArgumentException("argument " + i + " is in r" + model.argRegs()[i] + ", which is not a BPF register");
            }
        }
        byte[] aligned = entry(model, observers, false);
        // each entry is position independent (its constant pool follows it); the second starts on its own cache line
        int second = (aligned.length + 63) & ~63;
        byte[] unaligned = entry(model, observers, true);
        byte[] code = new byte[second + unaligned.length];
        System.arraycopy(aligned, 0, code, 0, aligned.length);
        Arrays.fill(code, aligned.length, second, (byte) 0xcc);
        System.arraycopy(unaligned, 0, code, second, unaligned.length);
        return new Code(code, second);
    }

    /** One entry: for a site on a 16-aligned stack, or ({@code offByEight}) 8 bytes off it. */
    private static byte[] entry(FuncModel model, List<ObserverCall> observers, boolean offByEight) {
        boolean budget = observers.stream().anyMatch(ObserverCall::body);
        X86Assembler a = new X86Assembler();
        if (offByEight) {
            // the scratch register is dead at a site: its push only aligns the stack
            a.push(AUX);
        }
        for (Reg r : SAVED) {
            a.push(r);
        }
        if (budget) {
            a.push(RegisterMap.TAIL_CALL_BUDGET);
        }
        // rsp is 8 mod 16 here (an aligned site's call, or the extra push); the saves and the array bring it to 0
        int frame = ARGS_BYTES + (budget ? 8 : 0);
        a.aluImm(AluOp.SUB, Width.QWORD, Reg.RSP, frame);
        for (int i = 0; i < model.nrArgs(); i++) {
            Reg value = RegisterMap.of(model.argRegs()[i]);
            Width width = Width.ofBytes(model.argSize()[i]);
            Reg stored = value;
            if (width != Width.QWORD) {
                stored = AUX;
                if (model.argSigned()[i]) {
                    a.movsx(width, Width.QWORD, AUX, value);
                } else if (width == Width.DWORD) {
                    a.mov(Width.DWORD, AUX, value);
                } else {
                    a.movzx(width, AUX, value);
                }
            }
            a.store(Width.QWORD, Mem.of(Reg.RSP, 8 * i), stored);
        }
        for (ObserverCall o : observers) {
            a.mov(Width.QWORD, Reg.RDI, Reg.RSP);
            if (o.body()) {
                a.movImm32(RegisterMap.TAIL_CALL_BUDGET, org.bpfsdt.api.isa.Opcodes.MAX_TAIL_CALLS);
            }
            a.callAbsolute(o.address());
        }
        a.aluImm(AluOp.ADD, Width.QWORD, Reg.RSP, frame);
        if (budget) {
            a.pop(RegisterMap.TAIL_CALL_BUDGET);
        }
        for (int i = SAVED.length - 1; i >= 0; i--) {
            a.pop(SAVED[i]);
        }
        if (offByEight) {
            a.pop(AUX);
        }
        a.ret();
        if (!a.finish()) {
            throw new IllegalStateException("a trampoline has no relaxable jumps");
        }
        return a.toByteArray();
    }
}
