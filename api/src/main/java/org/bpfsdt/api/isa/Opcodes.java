package org.bpfsdt.api.isa;

/**
 * Opcode fields of RFC 9669 (and the kernel's pseudo encodings). An opcode byte is
 * {@code class | op | source} for arithmetic and jumps, {@code class | mode | size} for memory.
 */
public final class Opcodes {
    private Opcodes() {
    }

    // classes (low 3 bits)
    public static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;

    // source (bit 3) of arithmetic and jump opcodes
    public static final int K = 0x00, X = 0x08;
    /** For {@code END}: in the ALU class, convert to little (K) or big (X) endian; in ALU64, swap unconditionally. */
    public static final int TO_LE = 0x00, TO_BE = 0x08;

    // arithmetic operations (high 4 bits)
    public static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60,
            RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0;

    // jump operations (high 4 bits)
    public static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60,
            JSGE = 0x70, CALL = 0x80, EXIT = 0x90, JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0;

    // memory sizes (bits 3-4) and modes (high 3 bits)
    public static final int W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
    public static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, MEMSX = 0x80, ATOMIC = 0xc0;

    // atomic operations, in the imm field
    public static final int FETCH = 0x01;
    public static final int ATOMIC_ADD = ADD, ATOMIC_OR = OR, ATOMIC_AND = AND, ATOMIC_XOR = XOR;
    public static final int XCHG = 0xe0 | FETCH, CMPXCHG = 0xf0 | FETCH;

    // whole opcodes used often
    public static final int LDDW = LD | IMM | DW;             // 0x18
    public static final int CALL_OP = JMP | CALL;             // 0x85
    public static final int CALLX_OP = JMP | CALL | X;        // 0x8d
    public static final int EXIT_OP = JMP | EXIT;             // 0x95
    public static final int JA_OP = JMP | JA;                 // 0x05
    public static final int GOTOL_OP = JMP32 | JA;            // 0x06

    // src_reg of LDDW: what the 64-bit immediate means (kernel pseudo forms)
    public static final int PSEUDO_NONE = 0;
    /** imm is a map handle (here: a map id); loads the map pointer. */
    public static final int PSEUDO_MAP_FD = 1;
    /** imm is a map handle, the second imm an offset; loads the address of that byte of the map's value. */
    public static final int PSEUDO_MAP_VALUE = 2;
    /** imm is a BTF id of a kernel variable. */
    public static final int PSEUDO_BTF_ID = 3;
    /** imm is an instruction offset; loads the address of that subprogram. */
    public static final int PSEUDO_FUNC = 4;
    /** imm is an index into the program's map array. */
    public static final int PSEUDO_MAP_IDX = 5;
    /** imm is an index into the program's map array, the second imm an offset into its value. */
    public static final int PSEUDO_MAP_IDX_VALUE = 6;

    // src_reg of CALL
    public static final int CALL_HELPER = 0;
    public static final int PSEUDO_CALL = 1;
    public static final int PSEUDO_KFUNC_CALL = 2;

    /** JA with src_reg = 0 and this off... the kernel's {@code may_goto} is JMP|JCOND (0xe5) with src 0. */
    public static final int JCOND = 0xe0;
    public static final int MAY_GOTO_OP = JMP | JCOND;

    public static final int MAX_REG = 10;
    /** The frame pointer: read-only. */
    public static final int FP = 10;
    public static final int STACK_SIZE = 512;
    /** The kernel's limit on nested bpf-to-bpf calls (frames, counting the main program). */
    public static final int MAX_CALL_FRAMES = 8;
    /** The kernel's limit on tail calls in one run. */
    public static final int MAX_TAIL_CALLS = 33;
    /** The kernel's {@code BPF_MAX_LOOPS}: the most {@code bpf_loop} iterations, and a frame's may_goto budget. */
    public static final int MAX_LOOPS = 1 << 23;

    public static int cls(int opcode) {
        return opcode & 0x07;
    }

    public static int op(int opcode) {
        return opcode & 0xf0;
    }

    public static int source(int opcode) {
        return opcode & 0x08;
    }

    public static int size(int opcode) {
        return opcode & 0x18;
    }

    public static int mode(int opcode) {
        return opcode & 0xe0;
    }

    /** Bytes accessed by a memory opcode of size {@code size}. */
    public static int sizeBytes(int size) {
        return switch (size) {
            case W -> 4;
            case H -> 2;
            case B -> 1;
            default -> 8;
        };
    }

    public static boolean isAlu(int opcode) {
        int c = cls(opcode);
        return c == ALU || c == ALU64;
    }

    public static boolean isJmp(int opcode) {
        int c = cls(opcode);
        return c == JMP || c == JMP32;
    }
}
