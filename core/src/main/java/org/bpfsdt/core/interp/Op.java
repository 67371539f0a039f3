package org.bpfsdt.core.interp;

/**
 * The interpreter's internal opcodes: one per behaviour, so each case of the dispatch switch
 * does one thing with no further decoding (a 32-bit signed division by a register is its own
 * opcode, not a DIV with flags). Numbered densely so the switch compiles to a jump table.
 */
final class Op {
    private Op() {
    }

    // 64-bit arithmetic, register (X) and immediate (K) source
    static final int ADD64_X = 0, ADD64_K = 1, SUB64_X = 2, SUB64_K = 3, MUL64_X = 4, MUL64_K = 5,
            DIV64_X = 6, DIV64_K = 7, SDIV64_X = 8, SDIV64_K = 9, MOD64_X = 10, MOD64_K = 11,
            SMOD64_X = 12, SMOD64_K = 13, OR64_X = 14, OR64_K = 15, AND64_X = 16, AND64_K = 17,
            LSH64_X = 18, LSH64_K = 19, RSH64_X = 20, RSH64_K = 21, ARSH64_X = 22, ARSH64_K = 23,
            XOR64_X = 24, XOR64_K = 25, MOV64_X = 26, MOV64_K = 27, NEG64 = 28,
            MOVSX64_8 = 29, MOVSX64_16 = 30, MOVSX64_32 = 31;

    // 32-bit arithmetic: results zero-extended into the 64-bit register
    static final int ADD32_X = 32, ADD32_K = 33, SUB32_X = 34, SUB32_K = 35, MUL32_X = 36, MUL32_K = 37,
            DIV32_X = 38, DIV32_K = 39, SDIV32_X = 40, SDIV32_K = 41, MOD32_X = 42, MOD32_K = 43,
            SMOD32_X = 44, SMOD32_K = 45, OR32_X = 46, OR32_K = 47, AND32_X = 48, AND32_K = 49,
            LSH32_X = 50, LSH32_K = 51, RSH32_X = 52, RSH32_K = 53, ARSH32_X = 54, ARSH32_K = 55,
            XOR32_X = 56, XOR32_K = 57, MOV32_X = 58, MOV32_K = 59, NEG32 = 60,
            MOVSX32_8 = 61, MOVSX32_16 = 62;

    // byte order: LE* truncate (the host is little endian), BE* and bswap swap
    static final int LE16 = 63, LE32 = 64, BSWAP16 = 65, BSWAP32 = 66, BSWAP64 = 67;

    // memory
    static final int LDXB = 68, LDXH = 69, LDXW = 70, LDXDW = 71, LDXSB = 72, LDXSH = 73, LDXSW = 74,
            STXB = 75, STXH = 76, STXW = 77, STXDW = 78, STB = 79, STH = 80, STW = 81, STDW = 82;

    // atomics (the FETCH variants return the old value in src)
    static final int AADD32 = 83, AOR32 = 84, AAND32 = 85, AXOR32 = 86,
            AFADD32 = 87, AFOR32 = 88, AFAND32 = 89, AFXOR32 = 90, AXCHG32 = 91, ACMPXCHG32 = 92,
            AADD64 = 93, AOR64 = 94, AAND64 = 95, AXOR64 = 96,
            AFADD64 = 97, AFOR64 = 98, AFAND64 = 99, AFXOR64 = 100, AXCHG64 = 101, ACMPXCHG64 = 102;

    /** 64-bit immediate: low half in this slot's imm, high half in the next slot's. */
    static final int LDDW = 103;
    /** Legacy packet loads of socket filters (skb in r6, big-endian result in r0). */
    static final int LDABSB = 104, LDABSH = 105, LDABSW = 106, LDINDB = 107, LDINDH = 108, LDINDW = 109;

    // jumps: 64-bit compares, then 32-bit compares, each X then K
    static final int JEQ_X = 110, JEQ_K = 111, JGT_X = 112, JGT_K = 113, JGE_X = 114, JGE_K = 115,
            JSET_X = 116, JSET_K = 117, JNE_X = 118, JNE_K = 119, JSGT_X = 120, JSGT_K = 121,
            JSGE_X = 122, JSGE_K = 123, JLT_X = 124, JLT_K = 125, JLE_X = 126, JLE_K = 127,
            JSLT_X = 128, JSLT_K = 129, JSLE_X = 130, JSLE_K = 131;
    static final int JEQ32_X = 132, JEQ32_K = 133, JGT32_X = 134, JGT32_K = 135, JGE32_X = 136, JGE32_K = 137,
            JSET32_X = 138, JSET32_K = 139, JNE32_X = 140, JNE32_K = 141, JSGT32_X = 142, JSGT32_K = 143,
            JSGE32_X = 144, JSGE32_K = 145, JLT32_X = 146, JLT32_K = 147, JLE32_X = 148, JLE32_K = 149,
            JSLT32_X = 150, JSLT32_K = 151, JSLE32_X = 152, JSLE32_K = 153;

    static final int JA = 154, GOTOL = 155, MAY_GOTO = 156;
    static final int CALL_HELPER = 157, CALL_LOCAL = 158, CALLX = 159, TAIL_CALL = 160, EXIT = 161;

    /** Checked mode: a memory access to check first; the access itself is in {@code DecodedProgram.checkedOps}. */
    static final int CHECKED_MEM = 162;
    /** Checked mode: a helper call whose memory arguments and results are checked and tracked. */
    static final int CHECKED_CALL = 163;

    /** An SDT probe site ({@code goto +0}): calls the observers attached to probe {@code imm}, if any. */
    static final int PROBE = 164;

    static final int COUNT = 165;
}
