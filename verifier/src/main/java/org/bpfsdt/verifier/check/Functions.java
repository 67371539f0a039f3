package org.bpfsdt.verifier.check;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.btf.FuncInfo;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.cfg.ControlFlow;

/**
 * What BTF func_info says about the subprograms: their names, which are global functions
 * ({@code BTF_FUNC_GLOBAL}: verified once, on their own, from their FUNC_PROTO, as the kernel
 * does) and what their arguments are (the kernel's {@code btf_prepare_func_args}). Without
 * func_info every subprogram is static: verified at each call with the caller's state.
 */
public final class Functions {
    /** The kernel's limit on arguments passed in registers. */
    private static final int MAX_ARGS = 5;
    private static final int LINKAGE_GLOBAL = 1;

    /** How a global function's argument is typed when the function is verified, and checked at calls. */
    public enum ArgKind {
        /** Any scalar ({@code int}, {@code enum}). */
        SCALAR,
        /** The program's context, unmodified. */
        CTX,
        /** Memory of {@link Arg#size()} bytes, readable and writable; the pointer may be NULL. */
        MEM_OR_NULL,
        /** Memory of {@link Arg#size()} bytes that may not be NULL ({@code __arg_nonnull}). */
        MEM
    }

    /** One argument of a global function. */
    public record Arg(ArgKind kind, int size) {
    }

    private final Btf btf;
    private final ControlFlow cfg;
    private final String ctxStruct;
    /** Per subprogram: its FUNC id in the program's BTF, or 0. */
    private final int[] funcIds;
    private final boolean[] global;
    private final List<Arg>[] args;
    private final String[] argError;
    private final Errno[] argErrno;
    /** Per subprogram: 0 unknown, 1 may change packet data (directly or through a call), 2 does not. */
    private final byte[] changesPacket;

    @SuppressWarnings("unchecked")
    Functions(Btf btf, List<FuncInfo> funcInfo, ControlFlow cfg, String ctxStruct) {
        this.btf = btf;
        this.cfg = cfg;
        this.ctxStruct = ctxStruct;
        int n = cfg.subprogCount();
        funcIds = new int[n];
        global = new boolean[n];
        args = new List[n];
        argError = new String[n];
        argErrno = new Errno[n];
        changesPacket = new byte[n];
        if (btf == null) {
            return;
        }
        for (FuncInfo fi : funcInfo) {
            int s = cfg.subprogAt(fi.insnOff());
            if (s < 0 || fi.typeId() <= 0 || fi.typeId() >= btf.size()) {
                continue;
            }
            if (btf.type(fi.typeId()) instanceof BtfType.Func f) {
                funcIds[s] = fi.typeId();
                global[s] = s > 0 && f.linkage() == LINKAGE_GLOBAL;
            }
        }
    }

    /** Whether subprogram {@code s} is a global function, verified on its own. */
    public boolean isGlobal(int s) {
        return s > 0 && s < global.length && global[s];
    }

    /** The function's name from BTF, or {@code ""}. */
    public String name(int s) {
        return s >= 0 && s < funcIds.length && funcIds[s] != 0 ? btf.type(funcIds[s]).name() : "";
    }

    /**
     * The arguments of global function {@code s}, from its FUNC_PROTO; throws the kernel's
     * refusal (its return type is not a scalar, an argument type it cannot check...).
     */
    List<Arg> args(int s) {
        if (args[s] == null && argError[s] == null) {
            try {
                args[s] = prepare(s);
            } catch (VerifyError e) {
                argError[s] = e.getMessage();
                argErrno[s] = e.errno();
            }
        }
        if (argError[s] != null) {
            throw new VerifyError(argErrno[s], argError[s]);
        }
        return args[s];
    }

    /** btf_prepare_func_args for a global function. */
    private List<Arg> prepare(int s) {
        String name = name(s);
        BtfType.Func func = (BtfType.Func) btf.type(funcIds[s]);
        if (!(resolveOrNull(func.type()) instanceof BtfType.FuncProto proto)) {
            throw VerifyError.invalid("Invalid type of function %s()", name);
        }
        List<BtfType.Param> params = proto.params();
        if (params.size() > MAX_ARGS) {
            throw VerifyError.invalid("Global function %s() with %d > %d args. Buggy compiler.", name, params.size(), MAX_ARGS);
        }
        BtfType ret = resolveOrNull(proto.returnType());
        if (!(ret instanceof BtfType.Int || ret instanceof BtfType.Enum || ret instanceof BtfType.Enum64)) {
            throw VerifyError.invalid("Global function %s() doesn't return scalar. Only those are supported.", name);
        }
        List<Arg> out = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            out.add(arg(s, name, i, params.get(i)));
        }
        return List.copyOf(out);
    }

    private static final int TAG_CTX = 1, TAG_NONNULL = 2, TAG_NULLABLE = 4;

    private Arg arg(int s, String name, int i, BtfType.Param p) {
        int tags = tags(s, i);
        BtfType t = resolveOrNull(p.type());
        if (t instanceof BtfType.Ptr ptr) {
            BtfType pointee = resolveOrNull(ptr.type());
            if ((tags & TAG_CTX) != 0 || isContext(pointee)) {
                if ((tags & ~TAG_CTX) != 0) {
                    throw VerifyError.invalid("arg#%d has invalid combination of tags", i);
                }
                if (!(pointee instanceof BtfType.Void) && !isContext(pointee)) {
                    throw VerifyError.invalid("arg#%d is tagged arg:ctx but points to %s, not void or struct %s", i, btf.typeName(ptr.type()),
                            ctxStruct);
                }
                return new Arg(ArgKind.CTX, 0);
            }
            if ((tags & TAG_NULLABLE) != 0) {
                throw VerifyError.invalid("arg#%d has invalid combination of tags", i);
            }
            long size;
            try {
                size = btf.sizeOf(ptr.type());
            } catch (RuntimeException e) {
                throw VerifyError.invalid("arg#%d reference type('%s') size cannot be determined: -22", i, btf.typeName(ptr.type()));
            }
            if (size > Integer.MAX_VALUE) {
                throw VerifyError.invalid("arg#%d reference type('%s') size cannot be determined: -7", i, btf.typeName(ptr.type()));
            }
            return new Arg((tags & TAG_NONNULL) != 0 ? ArgKind.MEM : ArgKind.MEM_OR_NULL, (int) size);
        }
        if (tags != 0) {
            throw VerifyError.invalid("arg#%d has pointer tag, but is not a pointer type", i);
        }
        if (t instanceof BtfType.Int || t instanceof BtfType.Enum || t instanceof BtfType.Enum64) {
            return new Arg(ArgKind.SCALAR, 0);
        }
        throw VerifyError.invalid("Arg#%d type %s in %s() is not supported yet.", i, t == null ? "?" : t.kind().name(), name);
    }

    /** The {@code arg:...} decl tags on argument {@code i} of function {@code s}. */
    private int tags(int s, int i) {
        int tags = 0;
        for (int id = 1; id < btf.size(); id++) {
            if (!(btf.type(id) instanceof BtfType.DeclTag dt) || dt.type() != funcIds[s] || dt.componentIdx() != i || !dt.name().startsWith("arg:")) {
                continue;
            }
            tags |= switch (dt.name().substring(4)) {
                case "ctx" -> TAG_CTX;
                case "nonnull" -> TAG_NONNULL;
                case "nullable" -> TAG_NULLABLE;
                case "trusted", "untrusted", "arena" -> throw new VerifyError(Errno.EOPNOTSUPP,
                        String.format("arg#%d: %s types kernel objects, which bpf-sdt does not have", i, dt.name()));
                default -> throw new VerifyError(Errno.EOPNOTSUPP, String.format("arg#%d has unsupported set of tags", i));
            };
        }
        return tags;
    }

    /** A pointer to the program type's context struct, by name as the kernel compares it (btf_is_prog_ctx_type). */
    private boolean isContext(BtfType pointee) {
        if (!(pointee instanceof BtfType.Struct st) || ctxStruct == null) {
            return false;
        }
        String n = st.name();
        // the kernel also takes the struct a context field projects (struct sk_buff for struct __sk_buff)
        return n.equals(ctxStruct) || (ctxStruct.equals("__sk_buff") && n.equals("sk_buff")) || (ctxStruct.equals("xdp_md") && n.equals("xdp_buff"));
    }

    private BtfType resolveOrNull(int id) {
        try {
            return btf.resolve(id);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether calling subprogram {@code s} may change packet data: it, or a function it calls,
     * calls a helper that does (the kernel's {@code changes_pkt_data}); packet pointers of a
     * caller of a global function are invalid after the call then.
     */
    boolean changesPacket(int s, java.util.function.IntPredicate helperChangesPacket) {
        if (changesPacket[s] == 0) {
            changesPacket[s] = 2; // calls are not recursive; this also ends a cycle in a malformed program
            boolean changes = false;
            Insn[] insns = cfg.insns();
            for (int i = cfg.subprogStart(s); i < cfg.subprogEnd(s) && !changes; i++) {
                if (cfg.isLddwTail(i)) {
                    continue;
                }
                Insn in = insns[i];
                if (in.isHelperCall()) {
                    changes = helperChangesPacket.test(in.imm());
                } else if (in.isLocalCall()) {
                    int callee = cfg.subprogAt(i + 1 + in.imm());
                    changes = callee >= 0 && changesPacket(callee, helperChangesPacket);
                }
            }
            changesPacket[s] = (byte) (changes ? 1 : 2);
        }
        return changesPacket[s] == 1;
    }
}
