package org.bpfsdt.verifier.check;

import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.spi.ContextLayout;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.log.StatePrinter;

/**
 * The verifier's part of BPF SDT (the seed's check_attach_btf_id branch and the RFC's site
 * checks): at each probe NOP of a target, the argument registers must hold what the probe's
 * FUNC_PROTO declares (scalars, or the context for a pointer to the context struct), because an
 * observer receives them; an observer ({@code BPF_TRACE_SDT}) sees those arguments as its
 * context: u64 slots it may only read, scalars, and context pointers it may only hand to
 * helpers that read that kind of context.
 */
final class SdtRules {
    private SdtRules() {
    }

    /** The struct name of the context a program type's helpers take. */
    static String contextStruct(ProgramType t) {
        return switch (t) {
            case XDP -> "xdp_md";
            case SCHED_CLS, SCHED_ACT, SOCKET_FILTER -> "__sk_buff";
            default -> null;
        };
    }

    /** The FUNC_PROTO with id {@code id} in {@code btf}; EINVAL naming what is wrong otherwise. */
    static BtfType.FuncProto funcProto(Btf btf, int id, String what) {
        if (btf == null) {
            throw VerifyError.invalid("%s: no BTF describes the probe's arguments", what);
        }
        BtfType t;
        try {
            t = btf.resolve(id);
        } catch (RuntimeException e) {
            throw VerifyError.invalid("%s: BTF type %d does not exist", what, id);
        }
        if (!(t instanceof BtfType.FuncProto fp)) {
            throw VerifyError.invalid("%s: BTF type %d is %s, not a FUNC_PROTO", what, id, t.kind());
        }
        return fp;
    }

    /** The struct a pointer parameter points to, or null for a non-pointer parameter. */
    static String pointee(Btf btf, int typeId) {
        BtfType t = btf.resolve(typeId);
        if (!(t instanceof BtfType.Ptr p)) {
            return null;
        }
        BtfType target = btf.resolve(p.type());
        return target instanceof BtfType.Struct s ? s.name() : "";
    }

    /** The observer's context: one read-only u64 per declared argument. */
    static ContextLayout observerContext(Btf attachBtf, int attachBtfId) {
        BtfType.FuncProto fp = funcProto(attachBtf, attachBtfId, "SDT observer");
        if (fp.params().size() > 5) {
            throw VerifyError.invalid("SDT observer: the probe has %d arguments, at most 5 are allowed", fp.params().size());
        }
        return ContextLayouts.tracing(fp.params().size());
    }

    /** An observer's load of argument {@code index}: a scalar, or for a context pointer an opaque BTF pointer (PTR_TO_BTF_ID). */
    static void typeObserverArg(Env env, int index, RegState value) {
        Btf btf = env.req.attachBtf();
        BtfType.FuncProto fp = funcProto(btf, env.req.attachBtfId(), "SDT observer");
        BtfType.Param p = fp.params().get(index);
        String struct = pointee(btf, p.type());
        if (struct == null) {
            value.markUnknown();
            return;
        }
        value.markPointer(RegType.PTR_TO_BTF_ID);
        value.btfId = env.req.attachBtf().skipModifiers(((BtfType.Ptr) btf.resolve(p.type())).type());
        value.flags = RegState.RDONLY;
        value.memSize = 0;
    }

    /** Whether a helper taking a context may take this observer argument (a context of the helper's kind, not changing the packet). */
    static boolean helperMayTake(Env env, HelperId helper, boolean changesPacket, RegState reg) {
        if (env.attachType != AttachType.TRACE_SDT || reg.type != RegType.PTR_TO_BTF_ID || changesPacket || reg.off != 0 || !reg.isConst(0)) {
            return false;
        }
        BtfType t = env.req.attachBtf().type(reg.btfId);
        String name = t.name();
        String needed = helper.name().startsWith("XDP_") ? "xdp_md" : helper.name().startsWith("SKB_") ? "__sk_buff" : null;
        return name.equals(needed);
    }

    /** At probe NOP {@code probe} of a target: the argument registers hold what the FUNC_PROTO declares. */
    static void checkSite(Env env, SdtProbe probe) {
        String what = "SDT probe '" + probe.name() + "'";
        Btf btf = env.req.btf();
        BtfType.FuncProto fp = funcProto(btf, probe.btfId(), what);
        List<BtfType.Param> params = fp.params();
        if (params.size() != probe.nrArgs()) {
            throw VerifyError.invalid("%s: its FUNC_PROTO has %d arguments, the site passes %d", what, params.size(), probe.nrArgs());
        }
        String ctxStruct = contextStruct(env.progType);
        for (int i = 0; i < params.size(); i++) {
            int r = probe.argRegs()[i];
            if (r < 0 || r > 10) {
                throw VerifyError.invalid("%s: argument %d is in register %d", what, i, r);
            }
            RegState reg = env.cur.reg(r);
            if (reg.type == RegType.NOT_INIT) {
                throw VerifyError.access("%s argument %d: R%d !read_ok", what, i, r);
            }
            String struct = pointee(btf, params.get(i).type());
            if (struct == null) {
                if (reg.isPointer()) {
                    throw VerifyError.access("%s argument %d: R%d leaks addr into an observer (it is %s, the probe declares a scalar)", what, i, r,
                            StatePrinter.typeName(reg));
                }
            } else if (!(struct.equals(ctxStruct) && reg.type == RegType.PTR_TO_CTX && reg.off == 0 && reg.isConst(0))) {
                throw VerifyError.access("%s argument %d: R%d is %s; a pointer argument must be the program's unmodified context (struct %s *)", what,
                        i, r, StatePrinter.typeName(reg), ctxStruct == null ? "none" : ctxStruct);
            }
        }
    }
}
