package org.bpfsdt.jit.x86_64.codegen;

import static org.bpfsdt.api.isa.Opcodes.*;
import static org.bpfsdt.jit.x86_64.codegen.RegisterMap.AUX;
import static org.bpfsdt.jit.x86_64.codegen.RegisterMap.TAIL_CALL_BUDGET;
import static org.bpfsdt.jit.x86_64.codegen.RegisterMap.TMP;

import java.util.Arrays;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.RuntimeLinkage;
import org.bpfsdt.jit.x86_64.asm.Cond;
import org.bpfsdt.jit.x86_64.asm.Label;
import org.bpfsdt.jit.x86_64.asm.Mem;
import org.bpfsdt.jit.x86_64.asm.Reg;
import org.bpfsdt.jit.x86_64.asm.Width;
import org.bpfsdt.jit.x86_64.asm.X86Assembler;
import org.bpfsdt.jit.x86_64.asm.X86Assembler.AluOp;
import org.bpfsdt.jit.x86_64.asm.X86Assembler.JumpSizes;
import org.bpfsdt.jit.x86_64.asm.X86Assembler.ShiftOp;
import org.bpfsdt.jit.x86_64.asm.X86Assembler.UnaryOp;

/**
 * Translates a planned program to x86-64, one BPF instruction at a time as the kernel's JIT does,
 * repeating the pass until every jump has the size it needs (see {@link X86Assembler}).
 */
public final class CodeGenerator {
    /** Grow-only relaxation settles in a few passes; this bounds a bug, not a program. */
    private static final int MAX_PASSES = 100;
    /** Native code larger than this is refused (the kernel's images are far smaller). */
    public static final int MAX_CODE_BYTES = 64 << 20;
    /** What a {@code callx} of a number without a helper returns. */
    static final int CALLX_NO_HELPER = -Errno.ENOSYS.code();

    private final ProgramPlan plan;
    private final CpuFeatures cpu;
    private final Liveness live;

    // state of one pass
    private X86Assembler a;
    private Label[] slots;
    private Label[] functions;
    private Label bpfLoop;
    private Label callxTable;
    private int[] slotOffsets;
    private int[] functionOffsets;
    private int[] probeOffsets;
    private boolean[] probeAligned;
    private int[] thunkOffsets;
    private int[] thunkTargets;
    private FunctionPlan fn;

    private CodeGenerator(ProgramPlan plan, CpuFeatures cpu) {
        this.plan = plan;
        this.cpu = cpu;
        this.live = Liveness.of(plan);
    }

    /** Generates the code of {@code plan} for a processor with {@code cpu}. */
    public static NativeCode generate(ProgramPlan plan, CpuFeatures cpu) {
        return new CodeGenerator(plan, cpu).run();
    }

    private NativeCode run() {
        JumpSizes sizes = new JumpSizes();
        for (int pass = 1; pass <= MAX_PASSES; pass++) {
            Layout layout = emitProgram(sizes);
            if (a.finish()) {
                byte[] code = a.toByteArray();
                if (code.length > MAX_CODE_BYTES) {
                    throw new BpfException(Errno.E2BIG, "the native code would take " + code.length + " bytes (at most " + MAX_CODE_BYTES + ")");
                }
                return new NativeCode(code, Arrays.copyOf(slotOffsets, plan.programSlots), functionOffsets, plan.functionNames(), probeOffsets, thunkOffsets, thunkTargets, probeAligned,
                        layout.batch, layout.bpfLoop, layout.data, plan.mayUpcall, pass);
            }
        }
        throw new IllegalStateException("jump sizes did not settle after " + MAX_PASSES + " passes");
    }

    /** Where one pass put the parts that are not functions. */
    private record Layout(int batch, int bpfLoop, int data) {
    }

    /** One pass over the whole program. */
    private Layout emitProgram(JumpSizes sizes) {
        int n = plan.insns.size();
        a = new X86Assembler(sizes);
        slots = newLabels(n);
        functions = newLabels(plan.functions.size());
        bpfLoop = new Label();
        callxTable = new Label();
        slotOffsets = new int[n];
        functionOffsets = new int[plan.functions.size()];
        probeOffsets = new int[plan.request.probes().size()];
        thunkOffsets = new int[probeOffsets.length];
        thunkTargets = new int[probeOffsets.length];
        probeAligned = new boolean[probeOffsets.length];
        Arrays.fill(probeOffsets, -1);
        Arrays.fill(thunkOffsets, -1);
        Arrays.fill(thunkTargets, -1);

        emitEntry();
        for (FunctionPlan f : plan.functions) {
            emitFunction(f);
        }
        a.alignWithTraps(16);
        int batch = a.position();
        emitBatchEntry();
        int loopStub = -1;
        if (plan.usesBpfLoop) {
            a.alignWithTraps(16);
            loopStub = a.position();
            a.bind(bpfLoop);
            emitBpfLoop();
        }
        Label[] targets = newLabels(probeOffsets.length);
        for (int i = 0; i < probeOffsets.length; i++) {
            if (probeOffsets[i] >= 0) {
                thunkOffsets[i] = a.position();
                a.jmpIndirect(targets[i]);
            }
        }
        a.alignWithTraps(8);
        int data = a.position();
        for (int i = 0; i < probeOffsets.length; i++) {
            if (probeOffsets[i] >= 0) {
                a.bind(targets[i]);
                thunkTargets[i] = a.position();
                a.emit64(0);
            }
        }
        if (plan.usesCallx) {
            a.bind(callxTable);
            for (long target : plan.callxTargets) {
                a.emit64(target);
            }
        }
        return new Layout(batch, loopStub, data);
    }

    private static Label[] newLabels(int n) {
        Label[] l = new Label[n];
        for (int i = 0; i < n; i++) {
            l[i] = new Label();
        }
        return l;
    }

    // ---------------------------------------------------------------------------------------
    // entries and stubs

    /** {@code long entry(ctx...)}: gives the run its tail call budget and calls the main function. */
    private void emitEntry() {
        emitEntryStub(a, functions[0]);
        if (a.position() != NativeCode.BODY_OFFSET) {
            throw new IllegalStateException("entry is " + a.position() + " bytes, not " + NativeCode.BODY_OFFSET);
        }
    }

    private static void emitEntryStub(X86Assembler a, Label main) {
        a.push(TAIL_CALL_BUDGET);
        a.movImm32(TAIL_CALL_BUDGET, MAX_TAIL_CALLS);
        a.call(main);
        a.pop(TAIL_CALL_BUDGET);
        a.ret();
    }

    /** The bytes every image of this JIT starts with: the entry stub, calling the main function right after it. */
    public static byte[] entryStub() {
        X86Assembler a = new X86Assembler();
        Label main = new Label();
        emitEntryStub(a, main);
        a.bind(main);
        a.finish();
        return a.toByteArray();
    }

    /** {@code long batch(ctx, repeat)}: runs the main function {@code max(repeat, 1)} times, returning the last r0. */
    private void emitBatchEntry() {
        Reg ctx = Reg.RBX;
        Reg left = Reg.R13;
        a.push(ctx);
        a.push(TAIL_CALL_BUDGET);
        a.push(left);
        a.mov(Width.QWORD, ctx, Reg.RDI);
        a.mov(Width.QWORD, left, Reg.RSI);
        Label loop = new Label();
        a.aluImm(AluOp.CMP, Width.QWORD, left, 1);
        a.jcc(Cond.GE, loop);
        a.movImm32(left, 1);
        a.bind(loop);
        a.mov(Width.QWORD, Reg.RDI, ctx);
        a.movImm32(TAIL_CALL_BUDGET, MAX_TAIL_CALLS);
        a.call(functions[0]);
        a.aluImm(AluOp.SUB, Width.QWORD, left, 1);
        a.jcc(Cond.NE, loop);
        a.pop(left);
        a.pop(TAIL_CALL_BUDGET);
        a.pop(ctx);
        a.ret();
    }

    /**
     * {@code long bpf_loop(u32 nr, callback, ctx, u64 flags)} as the kernel's helper: calls
     * {@code callback(i, ctx)} for i = 0.. until it returns non-zero; returns the calls made.
     */
    private void emitBpfLoop() {
        Label invalid = new Label();
        Label tooBig = new Label();
        Label loop = new Label();
        Label done = new Label();
        Reg nr = Reg.RBX;
        Reg callback = Reg.R13;
        Reg ctx = Reg.R14;
        Reg i = Reg.R15;
        a.test(Width.QWORD, Reg.RCX, Reg.RCX);
        a.jcc(Cond.NE, invalid);
        a.aluImm(AluOp.CMP, Width.DWORD, Reg.RDI, MAX_LOOPS);
        a.jcc(Cond.A, tooBig);
        a.push(nr);
        a.push(callback);
        a.push(ctx);
        a.push(i);
        a.aluImm(AluOp.SUB, Width.QWORD, Reg.RSP, 8);
        a.mov(Width.DWORD, nr, Reg.RDI);
        a.mov(Width.QWORD, callback, Reg.RSI);
        a.mov(Width.QWORD, ctx, Reg.RDX);
        a.zero(i);
        a.bind(loop);
        a.alu(AluOp.CMP, Width.QWORD, i, nr);
        a.jcc(Cond.AE, done);
        a.mov(Width.QWORD, Reg.RDI, i);
        a.mov(Width.QWORD, Reg.RSI, ctx);
        a.callReg(callback);
        a.aluImm(AluOp.ADD, Width.QWORD, i, 1);
        a.test(Width.QWORD, Reg.RAX, Reg.RAX);
        a.jcc(Cond.E, loop);
        a.bind(done);
        a.mov(Width.QWORD, Reg.RAX, i);
        a.aluImm(AluOp.ADD, Width.QWORD, Reg.RSP, 8);
        a.pop(i);
        a.pop(ctx);
        a.pop(callback);
        a.pop(nr);
        a.ret();
        a.bind(invalid);
        a.movImmSx(Reg.RAX, -Errno.EINVAL.code());
        a.ret();
        a.bind(tooBig);
        a.movImmSx(Reg.RAX, -Errno.E2BIG.code());
        a.ret();
    }

    // ---------------------------------------------------------------------------------------
    // functions

    private void emitFunction(FunctionPlan f) {
        fn = f;
        if (f.index() > 0) {
            a.alignWithTraps(16);
        }
        a.bind(functions[f.index()]);
        functionOffsets[f.index()] = a.position();
        if (f.framed()) {
            a.push(Reg.RBP);
            a.mov(Width.QWORD, Reg.RBP, Reg.RSP);
            if (f.localBytes() > 0) {
                a.aluImm(AluOp.SUB, Width.QWORD, Reg.RSP, f.localBytes());
            }
        }
        for (Reg r : f.saved()) {
            a.push(r);
        }
        if (f.mayGoto()) {
            a.storeImm(Width.QWORD, f.mayGotoSlot(), MAX_LOOPS);
        }
        for (int pc = f.start(); pc < f.end(); pc++) {
            Insn insn = plan.insns.get(pc);
            a.bind(slots[pc]);
            slotOffsets[pc] = a.position();
            if (insn.isLddw()) {
                loadImm64(pc, insn, plan.insns.get(pc + 1));
                slotOffsets[++pc] = -1;
                continue;
            }
            int fused = fuse(pc, f.end());
            if (fused == 0) {
                translate(pc, insn);
            }
            for (int k = 1; k < fused; k++) {
                slotOffsets[pc + k] = slotOffsets[pc]; // no jump lands inside an idiom, so its later slots need no label
            }
            pc += Math.max(fused, 1) - 1;
        }
    }

    /** Restores the callee-saved registers and the caller's frame, leaving the return address on top. */
    private void unwindFrame() {
        for (int i = fn.saved().size() - 1; i >= 0; i--) {
            a.pop(fn.saved().get(i));
        }
        if (fn.framed()) {
            a.leave();
        }
    }

    // ---------------------------------------------------------------------------------------
    // instructions

    private void translate(int pc, Insn insn) {
        switch (insn.cls()) {
            case ALU, ALU64 -> alu(pc, insn);
            case LDX -> {
                Width w = Width.ofBytes(sizeBytes(size(insn.opcode())));
                Mem m = Mem.of(reg(insn.src()), insn.off());
                if (mode(insn.opcode()) == MEMSX) {
                    a.loadSx(w, reg(insn.dst()), m);
                } else {
                    a.load(w, reg(insn.dst()), m);
                }
            }
            case ST -> a.storeImm(Width.ofBytes(sizeBytes(size(insn.opcode()))), Mem.of(reg(insn.dst()), insn.off()), insn.imm());
            case STX -> {
                Width w = Width.ofBytes(sizeBytes(size(insn.opcode())));
                if (mode(insn.opcode()) == ATOMIC) {
                    atomic(insn, w);
                } else {
                    a.store(w, Mem.of(reg(insn.dst()), insn.off()), reg(insn.src()));
                }
            }
            case JMP, JMP32 -> jmp(pc, insn);
            default -> throw new IllegalStateException("unplanned instruction class at " + pc + ": " + insn);
        }
    }

    /**
     * Emits the instructions starting at {@code pc} as one x86 sequence where they form an idiom
     * the processor has a shorter way for, and says how many slots that took (0: none). Only
     * the first slot of an idiom may be a jump target: no path enters its middle.
     */
    private int fuse(int pc, int end) {
        if (pc + 5 < end && rotation(pc)) {
            return 6;
        }
        if (pc + 1 < end && !plan.jumpTarget[pc + 1]) {
            Insn first = plan.insns.get(pc);
            Insn second = plan.insns.get(pc + 1);
            if (scaledAdd(first, second) || movedAdd(first, second)) {
                return 2;
            }
        }
        return 0;
    }

    /**
     * {@code wT = wX; wT <<= k; wY op= wT; wT = wX; wT >>= 32-k; wY op= wT} with op add, sub, xor or
     * or: the two shifted halves of {@code rol(x, k)} share no bit, so this is {@code y op= rol(x, k)}
     * (how jhash rotates in maps' lookup functions). One {@code rorx} (or {@code mov; rol}) and the
     * operation; T gets its last value only if something reads it.
     */
    private boolean rotation(int pc) {
        for (int k = 1; k <= 5; k++) {
            if (plan.jumpTarget[pc + k]) {
                return false;
            }
        }
        Insn i0 = plan.insns.get(pc), i1 = plan.insns.get(pc + 1), i2 = plan.insns.get(pc + 2);
        Insn i3 = plan.insns.get(pc + 3), i4 = plan.insns.get(pc + 4), i5 = plan.insns.get(pc + 5);
        int t = i0.dst(), x = i0.src(), y = i2.dst(), k = i1.imm();
        int op = op(i2.opcode());
        boolean shape = i0.opcode() == (ALU | MOV | X) && i0.off() == 0 && i3.equals(i0)
                && i1.opcode() == (ALU | LSH | K) && i1.dst() == t && k >= 1 && k <= 31
                && i4.opcode() == (ALU | RSH | K) && i4.dst() == t && i4.imm() == 32 - k
                && (op == ADD || op == SUB || op == XOR || op == OR) && i2.opcode() == (ALU | op | X) && i2.src() == t && i5.equals(i2)
                && t != x && t != y && x != y && y != FP && t != FP;
        if (!shape) {
            return false;
        }
        Reg rx = reg(x);
        if (cpu.bmi2()) {
            a.rorx(Width.DWORD, AUX, rx, 32 - k);
        } else {
            a.mov(Width.DWORD, AUX, rx);
            a.shiftImm(ShiftOp.ROL, Width.DWORD, AUX, k);
        }
        a.alu(aluOp(op), Width.DWORD, reg(y), AUX);
        if (!live.deadAfter(pc + 5, t)) {
            a.mov(Width.DWORD, reg(t), rx);
            a.shiftImm(ShiftOp.SHR, Width.DWORD, reg(t), 32 - k);
        }
        return true;
    }

    /**
     * {@code dst = src; dst += imm} or {@code dst = src; dst += reg} (64 or 32 bits) as one
     * {@code lea}, which adds without the copy: how programs make a pointer past a header or a
     * key on the stack. The flags {@code lea} leaves alone are never read across instructions.
     */
    private boolean movedAdd(Insn mov, Insn add) {
        int cls = mov.cls();
        if ((cls != ALU && cls != ALU64) || mov.opcode() != (cls | MOV | X) || mov.off() != 0 || mov.dst() == mov.src()
                || mov.dst() == FP || add.cls() != cls || op(add.opcode()) != ADD || add.dst() != mov.dst()) {
            return false;
        }
        Reg dst = reg(mov.dst());
        Reg src = reg(mov.src());
        Width w = Width.of64(cls == ALU64);
        if (source(add.opcode()) == K) {
            a.lea(w, dst, Mem.of(src, add.imm()));
        } else {
            // dst += dst reads the copied value
            Reg index = add.src() == mov.dst() ? src : reg(add.src());
            a.lea(w, dst, Mem.indexed(src, index, 1, 0));
        }
        return true;
    }

    /**
     * {@code dst <<= k; dst += src} (k = 1..3, 64 bits) as one {@code lea dst, [src + dst*2^k]}: how
     * an array map lookup, inlined by the verifier, turns an index into a value address.
     * Not when the add is a jump target (another path reaches it) or adds dst to itself.
     */
    private boolean scaledAdd(Insn shift, Insn add) {
        if (shift.opcode() != (ALU64 | LSH | K) || shift.imm() < 1 || shift.imm() > 3
                || add.opcode() != (ALU64 | ADD | X) || add.dst() != shift.dst() || add.src() == shift.dst()) {
            return false;
        }
        a.lea(reg(shift.dst()), Mem.indexed(reg(add.src()), reg(shift.dst()), 1 << shift.imm(), 0));
        return true;
    }

    private static Reg reg(int bpfReg) {
        return RegisterMap.of(bpfReg);
    }

    private void loadImm64(int pc, Insn insn, Insn next) {
        Reg dst = reg(insn.dst());
        if (insn.src() == PSEUDO_FUNC) {
            a.leaRip(dst, functions[plan.functionOfSlot[pc + 1 + insn.imm()]]);
        } else {
            a.movImm64(dst, insn.imm64(next));
        }
    }

    // ALU ------------------------------------------------------------------------------------

    private void alu(int pc, Insn insn) {
        boolean is64 = insn.cls() == ALU64;
        Width w = Width.of64(is64);
        Reg dst = reg(insn.dst());
        boolean x = source(insn.opcode()) == X;
        Reg src = x ? reg(insn.src()) : null;
        int imm = insn.imm();
        switch (op(insn.opcode())) {
            case MOV -> move(insn, is64, dst, src);
            case ADD, SUB, OR, XOR, AND -> simple(aluOp(op(insn.opcode())), w, dst, src, imm);
            case MUL -> {
                if (x) {
                    a.imul(w, dst, src);
                } else {
                    a.imulImm(w, dst, dst, imm);
                }
            }
            case DIV, MOD -> new Division(a, plan.aux(pc).divisorNonZero(), !live.deadAfter(pc, 0), !live.deadAfter(pc, 3))
                    .emit(insn, is64, dst, src);
            case LSH -> shift(ShiftOp.SHL, is64, dst, src, imm);
            case RSH -> shift(ShiftOp.SHR, is64, dst, src, imm);
            case ARSH -> shift(ShiftOp.SAR, is64, dst, src, imm);
            case NEG -> a.unary(UnaryOp.NEG, w, dst);
            case END -> byteSwap(insn, dst);
            default -> throw new IllegalStateException("unplanned ALU operation at " + pc + ": " + insn);
        }
    }

    private void move(Insn insn, boolean is64, Reg dst, Reg src) {
        Width w = Width.of64(is64);
        if (src == null) {
            if (insn.imm() == 0) {
                a.zero(dst);
            } else if (is64) {
                a.movImm64(dst, insn.imm());
            } else {
                a.movImm32(dst, insn.imm());
            }
        } else if (insn.off() != 0) {
            a.movsx(Width.ofBytes(insn.off() / 8), w, dst, src);
        } else if (!(is64 && dst == src)) {
            a.mov(w, dst, src);
        }
    }

    /** The x86 operation of BPF's {@code add sub or and xor} (an atomic operation's code is its ALU code). */
    private static AluOp aluOp(int bpfOp) {
        return switch (bpfOp) {
            case ADD -> AluOp.ADD;
            case SUB -> AluOp.SUB;
            case OR -> AluOp.OR;
            case AND -> AluOp.AND;
            case XOR -> AluOp.XOR;
            default -> throw new IllegalStateException("no x86 arithmetic for BPF operation " + bpfOp);
        };
    }

    /** add, sub, or, xor, and with a register or an immediate; with 0, {@code and} zeroes and the others only zero-extend. */
    private void simple(AluOp op, Width w, Reg dst, Reg src, int imm) {
        if (src != null) {
            a.alu(op, w, dst, src);
        } else if (imm == 0 && op == AluOp.AND) {
            a.zero(dst);
        } else if (imm == 0) {
            zeroExtend(w, dst);
        } else {
            a.aluImm(op, w, dst, imm);
        }
    }

    /** What a 32-bit operation that changes nothing still does: clear the upper half. */
    private void zeroExtend(Width w, Reg dst) {
        if (w == Width.DWORD) {
            a.mov(Width.DWORD, dst, dst);
        }
    }

    private void shift(ShiftOp op, boolean is64, Reg dst, Reg src, int imm) {
        Width w = Width.of64(is64);
        if (src == null) {
            int count = imm & (is64 ? 63 : 31);
            if (count == 0) {
                zeroExtend(w, dst);
            } else {
                a.shiftImm(op, w, dst, count);
            }
        } else if (cpu.bmi2()) {
            a.shiftX(op, w, dst, dst, src);
        } else if (src == Reg.RCX) {
            a.shiftCl(op, w, dst);
        } else {
            // the count goes to cl, whose value waits in AUX; when cl holds the value too, the copy is shifted
            a.mov(Width.QWORD, AUX, Reg.RCX);
            a.mov(Width.QWORD, Reg.RCX, src);
            a.shiftCl(op, w, dst == Reg.RCX ? AUX : dst);
            a.mov(Width.QWORD, Reg.RCX, AUX);
        }
    }

    private void byteSwap(Insn insn, Reg dst) {
        boolean toLittle = insn.cls() == ALU && source(insn.opcode()) == TO_LE;
        switch (insn.imm()) {
            case 16 -> {
                if (!toLittle) {
                    a.shiftImm(ShiftOp.ROR, Width.WORD, dst, 8);
                }
                a.movzx(Width.WORD, dst, dst);
            }
            case 32 -> {
                if (toLittle) {
                    a.mov(Width.DWORD, dst, dst);
                } else {
                    a.bswap(Width.DWORD, dst);
                }
            }
            default -> {
                if (!toLittle) {
                    a.bswap(Width.QWORD, dst);
                }
            }
        }
    }

    // atomics ----------------------------------------------------------------------------------

    private void atomic(Insn insn, Width w) {
        Reg base = reg(insn.dst());
        Reg src = reg(insn.src());
        Mem m = Mem.of(base, insn.off());
        switch (insn.imm()) {
            case ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR -> a.lockAluMem(aluOp(insn.imm()), w, m, src);
            case ATOMIC_ADD | FETCH -> a.lockXadd(w, m, src);
            case ATOMIC_OR | FETCH, ATOMIC_AND | FETCH, ATOMIC_XOR | FETCH -> fetchLoop(aluOp(insn.imm() & ~FETCH), w, base, src, insn.off());
            case XCHG -> a.xchg(w, m, src);
            case CMPXCHG -> {
                a.lockCmpxchg(w, m, src);
                // on success cmpxchg leaves eax unwritten, so the upper half would survive
                zeroExtend(w, Reg.RAX);
            }
            default -> throw new IllegalStateException("unplanned atomic operation " + insn);
        }
    }

    /** {@code src = atomic_fetch_op(m, src)} for and/or/xor, which x86 has no fetching form of: a cmpxchg loop. */
    private void fetchLoop(AluOp op, Width w, Reg base, Reg src, int off) {
        a.mov(Width.QWORD, TMP, Reg.RAX);
        Reg realBase = base == Reg.RAX ? TMP : base;
        Reg realSrc = src == Reg.RAX ? TMP : src;
        Mem m = Mem.of(realBase, off);
        Label retry = new Label();
        a.bind(retry);
        a.load(w, Reg.RAX, m);
        a.mov(w, AUX, Reg.RAX);
        a.alu(op, w, AUX, realSrc);
        a.lockCmpxchg(w, m, AUX);
        a.jcc(Cond.NE, retry);
        a.mov(w, realSrc, Reg.RAX);
        a.mov(Width.QWORD, Reg.RAX, TMP);
    }

    // jumps and calls --------------------------------------------------------------------------

    private void jmp(int pc, Insn insn) {
        int opcode = insn.opcode();
        switch (op(opcode)) {
            case JA -> {
                int target = insn.jumpTarget(pc);
                if (plan.probeAt[pc] >= 0) {
                    probeSite(plan.probeAt[pc]);
                } else if (target != pc + 1) {
                    a.jmp(slots[target]);
                }
            }
            case CALL -> {
                if (opcode == CALLX_OP) {
                    callx(reg(insn.dst()));
                } else if (insn.isLocalCall()) {
                    a.call(functions[plan.functionOfSlot[pc + 1 + insn.imm()]]);
                } else if (plan.lookupCallAt[pc] >= 0) {
                    a.call(functions[plan.lookupCallAt[pc]]);
                } else {
                    helperCall(insn.imm());
                }
            }
            case EXIT -> {
                unwindFrame();
                a.ret();
            }
            case JCOND -> {
                Mem budget = fn.mayGotoSlot();
                a.aluMemImm(AluOp.CMP, Width.QWORD, budget, 0);
                a.jcc(Cond.E, slots[insn.jumpTarget(pc)]);
                a.aluMemImm(AluOp.SUB, Width.QWORD, budget, 1);
            }
            default -> conditional(pc, insn);
        }
    }

    private void conditional(int pc, Insn insn) {
        int target = insn.jumpTarget(pc);
        if (target == pc + 1) {
            return; // both ways lead to the next instruction, and a compare has no other effect
        }
        Width w = Width.of64(insn.cls() == JMP);
        Reg dst = reg(insn.dst());
        int op = op(insn.opcode());
        if (source(insn.opcode()) == X) {
            Reg src = reg(insn.src());
            if (op == JSET) {
                a.test(w, dst, src);
            } else {
                a.alu(AluOp.CMP, w, dst, src);
            }
        } else if (op == JSET) {
            a.testImm(w, dst, insn.imm());
        } else if (insn.imm() == 0) {
            a.test(w, dst, dst); // the same flags as cmp dst, 0
        } else {
            a.aluImm(AluOp.CMP, w, dst, insn.imm());
        }
        a.jcc(condition(op), slots[target]);
    }

    private static Cond condition(int op) {
        return switch (op) {
            case JEQ -> Cond.E;
            case JNE, JSET -> Cond.NE;
            case JGT -> Cond.A;
            case JGE -> Cond.AE;
            case JLT -> Cond.B;
            case JLE -> Cond.BE;
            case JSGT -> Cond.G;
            case JSGE -> Cond.GE;
            case JSLT -> Cond.L;
            case JSLE -> Cond.LE;
            default -> throw new IllegalStateException("not a conditional jump: " + op);
        };
    }

    private void helperCall(int id) {
        if (id == HelperId.TAIL_CALL.id()) {
            tailCall();
        } else if (id == HelperId.LOOP.id()) {
            a.call(bpfLoop);
        } else {
            a.callAbsolute(plan.helpers.get(id));
        }
    }

    /** {@code callx reg}: calls the helper whose number is in {@code target} (the conformance suite's extension). */
    private void callx(Reg target) {
        Label none = new Label();
        Label done = new Label();
        a.aluImm(AluOp.CMP, Width.QWORD, target, plan.callxTargets.length);
        a.jcc(Cond.AE, none);
        a.leaRip(AUX, callxTable);
        a.load(Width.QWORD, AUX, Mem.indexed(AUX, target, 8, 0));
        a.test(Width.QWORD, AUX, AUX);
        a.jcc(Cond.E, none);
        a.callReg(AUX);
        a.jmp(done);
        a.bind(none);
        a.movImmSx(Reg.RAX, CALLX_NO_HELPER);
        a.bind(done);
    }

    /**
     * {@code bpf_tail_call(ctx, prog_array, index)} as the kernel does it: out of range, out of
     * budget or an empty slot fall through; a native target is entered past its entry with this
     * frame gone; a target without native code runs through the runtime's fallback, whose r0
     * this function then returns.
     */
    private void tailCall() {
        Reg map = reg(2);
        Reg index = reg(3);
        Label out = new Label();
        Label fallback = new Label();
        a.aluLoad(AluOp.CMP, Width.DWORD, index, Mem.of(map, RuntimeLinkage.MAP_MAX_ENTRIES));
        a.jcc(Cond.AE, out);
        a.test(Width.DWORD, TAIL_CALL_BUDGET, TAIL_CALL_BUDGET);
        a.jcc(Cond.E, out);
        a.mov(Width.DWORD, index, index);
        a.load(Width.QWORD, AUX, Mem.of(map, RuntimeLinkage.MAP_DATA));
        a.load(Width.QWORD, AUX, Mem.indexed(AUX, index, 8, 0));
        a.test(Width.QWORD, AUX, AUX);
        a.jcc(Cond.E, out);
        a.aluImm(AluOp.SUB, Width.DWORD, TAIL_CALL_BUDGET, 1); // only a populated slot spends budget, as in the kernel
        a.load(Width.QWORD, TMP, Mem.of(AUX, RuntimeLinkage.PROG_ENTRY));
        a.test(Width.QWORD, TMP, TMP);
        a.jcc(Cond.E, fallback);
        a.lea(TMP, Mem.of(TMP, NativeCode.BODY_OFFSET));
        unwindFrame();
        a.jmpReg(TMP);
        a.bind(fallback);
        a.callAbsolute(plan.tailCallFallback);
        unwindFrame();
        a.ret();
        a.bind(out);
    }

    /**
     * A NOP whose last 5 bytes lie inside one aligned 8-byte word, so that one 8-byte store can
     * make it a call. Where the NOP would cross a word, CS prefixes move its 5 bytes to the next
     * word instead of a padding NOP: the site stays one instruction whether it holds the NOP or
     * {@code call rel32} (the prefixes never change), so a detached probe costs one NOP.
     */
    private void probeSite(int probe) {
        int inWord = a.position() & 7;
        if (inWord > 8 - NativeCode.PROBE_SITE_SIZE) {
            for (int i = inWord; i < 8; i++) {
                a.emit8(X86Assembler.CS);
            }
        }
        probeOffsets[probe] = a.position();
        probeAligned[probe] = fn.stackAligned();
        for (byte b : X86Assembler.NOP5) {
            a.emit8(b);
        }
    }
}
