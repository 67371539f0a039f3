package org.bpfsdt.core.interp;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.InsnValidator;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.api.spi.HelperProto;

/**
 * A program pre-decoded for the interpreter: one {@code long} per slot holding an internal
 * opcode ({@link Op}) and the operands, {@code op:8 dst:4 src:4 off:16 imm:32}, so the dispatch
 * loop reads one word per instruction and decodes nothing. Helpers are bound at decode time.
 * A program decoded in checked mode has its memory accesses and helper calls routed through
 * {@link CheckedMemory}; it is a separate object from the fast form of the same instructions.
 */
public final class DecodedProgram {
    final long[] code;
    /** For checked slots, the operation they check; {@code null} in the fast form. */
    final int[] checkedOps;
    final Helper[] helpers;
    final HelperProto[] protos;
    final boolean checked;
    private final List<Insn> insns;
    private final int id;
    private final String name;
    /** What each SDT probe site calls now, by probe index ({@code null}: the site stays a NOP). */
    private final AtomicReferenceArray<ProbeDispatch> probes;

    private DecodedProgram(long[] code, int[] checkedOps, HelperTable table, List<Insn> insns, int id, String name, int probeCount) {
        this.probes = new AtomicReferenceArray<>(probeCount);
        this.code = code;
        this.checkedOps = checkedOps;
        this.checked = checkedOps != null;
        this.helpers = table.implementations();
        this.protos = table.bindProtos();
        this.insns = insns;
        this.id = id;
        this.name = name;
    }

    /**
     * Validates ({@link InsnValidator}) and decodes {@code insns}, binding the helpers of {@code table}.
     * Throws {@link BpfException} naming the instruction for anything the interpreter cannot run:
     * LDDW pseudo forms the verifier has not resolved, kfunc calls, calls of helpers the table lacks.
     *
     * @param checked decode for the checked mode
     * @param id      the program id helpers see (0 for raw runs)
     */
    public static DecodedProgram decode(List<Insn> insns, HelperTable table, boolean checked, int id, String name) {
        return decode(insns, table, checked, id, name, new int[0]);
    }

    /**
     * As {@link #decode(List, HelperTable, boolean, int, String)}, with SDT probe sites: probe
     * {@code i}'s {@code goto +0} is at slot {@code probeSlots[i]} ({@code -1}: the verifier removed
     * it). Each site then calls what {@link #attachProbe} gave it, and is a NOP while nothing is.
     */
    public static DecodedProgram decode(List<Insn> insns, HelperTable table, boolean checked, int id, String name, int[] probeSlots) {
        InsnValidator.validate(insns);
        int n = insns.size();
        long[] code = new long[n];
        int[] checkedOps = checked ? new int[n] : null;
        for (int pc = 0; pc < n; pc++) {
            Insn insn = insns.get(pc);
            int op = op(insn, pc, table);
            if (insn.src() == FP && ((op >= Op.AFADD32 && op <= Op.AXCHG32) || (op >= Op.AFADD64 && op <= Op.AXCHG64))) {
                throw fail(pc, insn, Errno.EINVAL, "r10 (frame pointer) is read-only, but this atomic operation writes its source register");
            }
            int imm = insn.imm();
            if (insn.isLddw() && insn.src() == PSEUDO_FUNC) {
                // a callback's "address" for the interpreter: its first slot
                imm = pc + 1 + insn.imm();
            }
            if (checked && (MemoryOps.isLoad(op) || (op >= Op.STXB && op <= Op.ACMPXCHG64) || op == Op.CALL_HELPER || op == Op.CALLX)) {
                checkedOps[pc] = op;
                op = op == Op.CALL_HELPER || op == Op.CALLX ? Op.CHECKED_CALL : Op.CHECKED_MEM;
            }
            code[pc] = word(op, insn.dst(), insn.src(), insn.off(), imm);
            if (insn.isLddw()) {
                pc++;
                long hi = insns.get(pc).imm();
                if (insn.src() == PSEUDO_FUNC) {
                    hi = 0;
                }
                // never executed: LDDW reads the high half from here, jumps cannot land here
                code[pc] = Op.COUNT | hi << 32;
            }
        }
        for (int i = 0; i < probeSlots.length; i++) {
            int at = probeSlots[i];
            if (at < 0) {
                continue;
            }
            if (at >= n || !insns.get(at).equals(Insn.ja(0))) {
                throw new BpfException(Errno.EINVAL, "SDT probe " + i + ": slot " + at + " is not a 'goto +0' of this program");
            }
            code[at] = word(Op.PROBE, 0, 0, 0, i);
        }
        return new DecodedProgram(code, checkedOps, table, List.copyOf(insns), id, name == null ? "" : name, probeSlots.length);
    }

    static long word(int op, int dst, int src, int off, int imm) {
        return op | (long) dst << 8 | (long) src << 12 | (off & 0xffffL) << 16 | (long) imm << 32;
    }

    static int op(long w) {
        return (int) w & 0xff;
    }

    static int dst(long w) {
        return (int) (w >>> 8) & 0xf;
    }

    static int src(long w) {
        return (int) (w >>> 12) & 0xf;
    }

    static int off(long w) {
        return (short) (w >>> 16);
    }

    /** The immediate, sign-extended to 64 bits. */
    static long imm(long w) {
        return w >> 32;
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** The instructions this was decoded from. */
    public List<Insn> insns() {
        return insns;
    }

    /**
     * Makes probe {@code index}'s site call {@code dispatch} ({@code null}: a NOP again). Runs on
     * other threads see the change at their next pass over the site: each pass calls the old
     * dispatch or the new one, whole.
     */
    public void attachProbe(int index, ProbeDispatch dispatch) {
        probes.setRelease(index, dispatch);
    }

    /** What probe {@code index}'s site calls now, or {@code null}. */
    ProbeDispatch probe(int index) {
        return probes.getAcquire(index);
    }

    /** The instruction at {@code pc} as a person reads it, for messages. */
    String describe(int pc) {
        return "insn " + pc + " (" + insns.get(pc) + ")";
    }

    private static BpfException fail(int pc, Insn insn, Errno errno, String problem) {
        return new BpfException(errno, "insn " + pc + " (" + insn + "): " + problem);
    }

    private static int op(Insn insn, int pc, HelperTable table) {
        int code = insn.opcode();
        int cls = cls(code);
        boolean x = source(code) == X;
        return switch (cls) {
            case ALU64 -> alu(insn, x, true);
            case ALU -> alu(insn, x, false);
            case JMP, JMP32 -> jmp(insn, pc, table, x, cls == JMP32);
            case LDX -> switch (size(code) | mode(code)) {
                case B | MEM -> Op.LDXB;
                case H | MEM -> Op.LDXH;
                case W | MEM -> Op.LDXW;
                case DW | MEM -> Op.LDXDW;
                case B | MEMSX -> Op.LDXSB;
                case H | MEMSX -> Op.LDXSH;
                default -> Op.LDXSW;
            };
            case ST -> switch (size(code)) {
                case B -> Op.STB;
                case H -> Op.STH;
                case W -> Op.STW;
                default -> Op.STDW;
            };
            case STX -> mode(code) == MEM ? switch (size(code)) {
                case B -> Op.STXB;
                case H -> Op.STXH;
                case W -> Op.STXW;
                default -> Op.STXDW;
            } : atomic(insn);
            default -> ld(insn, pc);
        };
    }

    private static int alu(Insn insn, boolean x, boolean is64) {
        int o = Opcodes.op(insn.opcode());
        boolean signed = insn.off() == 1;
        int base = switch (o) {
            case ADD -> Op.ADD64_X;
            case SUB -> Op.SUB64_X;
            case MUL -> Op.MUL64_X;
            case DIV -> signed ? Op.SDIV64_X : Op.DIV64_X;
            case MOD -> signed ? Op.SMOD64_X : Op.MOD64_X;
            case OR -> Op.OR64_X;
            case AND -> Op.AND64_X;
            case LSH -> Op.LSH64_X;
            case RSH -> Op.RSH64_X;
            case ARSH -> Op.ARSH64_X;
            case XOR -> Op.XOR64_X;
            case NEG -> -1;
            case END -> -2;
            default -> -3; // MOV
        };
        if (base >= 0) {
            return base + (x ? 0 : 1) + (is64 ? 0 : Op.ADD32_X - Op.ADD64_X);
        }
        if (base == -1) {
            return is64 ? Op.NEG64 : Op.NEG32;
        }
        if (base == -2) {
            boolean swap = is64 || source(insn.opcode()) == TO_BE;
            return switch (insn.imm()) {
                case 16 -> swap ? Op.BSWAP16 : Op.LE16;
                case 32 -> swap ? Op.BSWAP32 : Op.LE32;
                // to-little-endian 64 on a little-endian host changes nothing: "goto +0"
                default -> swap ? Op.BSWAP64 : Op.JA;
            };
        }
        return switch (insn.off()) {
            case 8 -> is64 ? Op.MOVSX64_8 : Op.MOVSX32_8;
            case 16 -> is64 ? Op.MOVSX64_16 : Op.MOVSX32_16;
            case 32 -> Op.MOVSX64_32;
            default -> is64 ? (x ? Op.MOV64_X : Op.MOV64_K) : (x ? Op.MOV32_X : Op.MOV32_K);
        };
    }

    private static int jmp(Insn insn, int pc, HelperTable table, boolean x, boolean is32) {
        int o = Opcodes.op(insn.opcode());
        switch (o) {
            case JA:
                return is32 ? Op.GOTOL : Op.JA;
            case JCOND:
                return Op.MAY_GOTO;
            case EXIT:
                return Op.EXIT;
            case CALL:
                if (x) {
                    return Op.CALLX;
                }
                if (insn.src() == PSEUDO_CALL) {
                    return Op.CALL_LOCAL;
                }
                if (insn.src() == PSEUDO_KFUNC_CALL) {
                    throw fail(pc, insn, Errno.ENOTSUPP, "kfunc calls are not supported by this runtime");
                }
                if (insn.imm() == HelperId.TAIL_CALL.id()) {
                    return Op.TAIL_CALL;
                }
                if (table.helper(insn.imm()) == null) {
                    throw fail(pc, insn, Errno.EINVAL, "call of " + HelperId.describe(insn.imm() & 0xffffffffL)
                            + ", which this runtime does not offer");
                }
                return Op.CALL_HELPER;
            default:
                int index = switch (o) {
                    case JEQ -> 0;
                    case JGT -> 1;
                    case JGE -> 2;
                    case JSET -> 3;
                    case JNE -> 4;
                    case JSGT -> 5;
                    case JSGE -> 6;
                    case JLT -> 7;
                    case JLE -> 8;
                    case JSLT -> 9;
                    default -> 10; // JSLE
                };
                return (is32 ? Op.JEQ32_X : Op.JEQ_X) + 2 * index + (x ? 0 : 1);
        }
    }

    private static int atomic(Insn insn) {
        boolean w64 = size(insn.opcode()) == DW;
        int a = switch (insn.imm()) {
            case ATOMIC_ADD -> Op.AADD32;
            case ATOMIC_OR -> Op.AOR32;
            case ATOMIC_AND -> Op.AAND32;
            case ATOMIC_XOR -> Op.AXOR32;
            case ATOMIC_ADD | FETCH -> Op.AFADD32;
            case ATOMIC_OR | FETCH -> Op.AFOR32;
            case ATOMIC_AND | FETCH -> Op.AFAND32;
            case ATOMIC_XOR | FETCH -> Op.AFXOR32;
            case XCHG -> Op.AXCHG32;
            default -> Op.ACMPXCHG32;
        };
        return w64 ? a + (Op.AADD64 - Op.AADD32) : a;
    }

    private static int ld(Insn insn, int pc) {
        int code = insn.opcode();
        if (code == LDDW) {
            int src = insn.src();
            if (src != PSEUDO_NONE && src != PSEUDO_FUNC) {
                String form = switch (src) {
                    case PSEUDO_MAP_FD -> "BPF_PSEUDO_MAP_FD";
                    case PSEUDO_MAP_VALUE -> "BPF_PSEUDO_MAP_VALUE";
                    case PSEUDO_BTF_ID -> "BPF_PSEUDO_BTF_ID";
                    case PSEUDO_MAP_IDX -> "BPF_PSEUDO_MAP_IDX";
                    default -> "BPF_PSEUDO_MAP_IDX_VALUE";
                };
                throw fail(pc, insn, Errno.EINVAL, "LDDW with pseudo source " + form
                        + " must be resolved by the verifier (load the program with progLoad); unverified runs take plain 64-bit immediates");
            }
            return Op.LDDW;
        }
        boolean ind = mode(code) == IND;
        return switch (size(code)) {
            case B -> ind ? Op.LDINDB : Op.LDABSB;
            case H -> ind ? Op.LDINDH : Op.LDABSH;
            default -> ind ? Op.LDINDW : Op.LDABSW;
        };
    }
}
