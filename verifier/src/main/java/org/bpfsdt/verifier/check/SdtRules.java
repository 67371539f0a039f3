package org.bpfsdt.verifier.check;

import java.util.List;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.spi.ContextLayout;
import org.bpfsdt.api.spi.ContextLayouts;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.domain.RegState;
import org.bpfsdt.verifier.domain.RegType;
import org.bpfsdt.verifier.log.StatePrinter;

/**
 * BPF SDT in the verifier (the seed's {@code check_attach_btf_id} branch and the RFC's site
 * checks). For an observer ({@code TRACE_SDT}): its attach target, its context (one read-only
 * u64 per declared argument), and its arguments typed from the probe's FUNC_PROTO: integers as
 * scalars of their declared size and sign, a pointer to a program context
 * ({@code struct xdp_md *}, {@code struct __sk_buff *}) as a read-only BTF pointer whose fields
 * read as the context's and that helpers reading that context accept; other pointers are plain
 * numbers. For a target: at each probe's NOP, the argument registers must hold what the probe
 * declares, because an observer receives them.
 */
public final class SdtRules {
    /** The FUNC_PROTO of an observer's probe, or {@code null} for every other program. */
    private final BtfType.FuncProto observed;
    private final Btf attachBtf;
    /** For targets: the FUNC_PROTOs of their probes live in the program's own BTF. */
    private final Btf ownBtf;
    private final List<SdtProbe> probes;
    private final ContextLayout ownContext;

    SdtRules(VerifierRequest req) {
        this.attachBtf = req.attachBtf();
        this.ownBtf = req.btf();
        this.probes = req.sdtProbes();
        this.ownContext = req.context();
        this.observed = req.attachType() == AttachType.TRACE_SDT && attachBtf != null
                && req.attachBtfId() > 0 && req.attachBtfId() < attachBtf.size()
                && attachBtf.type(req.attachBtfId()) instanceof BtfType.FuncProto p ? p : null;
    }

    /**
     * The SDT branch of {@code check_attach_btf_id}, before anything else is checked: an observer
     * needs its target's BTF, and its attach BTF id (the probe's) must be a FUNC_PROTO there.
     */
    public static void checkAttach(VerifierRequest req) {
        if (req.attachType() != AttachType.TRACE_SDT) {
            return;
        }
        Btf btf = req.attachBtf();
        if (btf == null) {
            throw VerifyError.invalid("SDT observer requires a target program with BTF");
        }
        int id = req.attachBtfId();
        if (id <= 0 || id >= btf.size() || !(btf.type(id) instanceof BtfType.FuncProto)) {
            throw VerifyError.invalid("SDT attach_btf_id %d is not a FUNC_PROTO", id);
        }
    }

    /** The observer's context: one read-only u64 per argument of its probe's FUNC_PROTO (after {@link #checkAttach}). */
    static ContextLayout observerContext(Btf attachBtf, int attachBtfId) {
        BtfType.FuncProto fp = (BtfType.FuncProto) attachBtf.type(attachBtfId);
        if (fp.params().size() > org.bpfsdt.api.spi.FuncModel.MAX_REG_ARGS) {
            throw VerifyError.invalid("SDT observer: the probe has %d arguments, at most %d are allowed", fp.params().size(),
                    org.bpfsdt.api.spi.FuncModel.MAX_REG_ARGS);
        }
        return ContextLayouts.tracing(fp.params().size());
    }

    // ---- observers --------------------------------------------------------------------------

    /**
     * Types what an observer loads from its context: a whole {@code u64} argument takes the type
     * its FUNC_PROTO declares (a narrower load stays a plain number of that width).
     */
    void typeArgument(ContextLayout.Field field, int size, RegState value) {
        if (observed == null || size != 8 || field.offset() % 8 != 0) {
            return;
        }
        int i = field.offset() / 8;
        if (i >= observed.params().size()) {
            return;
        }
        int typeId = attachBtf.skipModifiers(observed.params().get(i).type());
        switch (attachBtf.type(typeId)) {
            case BtfType.Int t when t.size() < 8 -> extend(value, t.size(), t.isSigned());
            case BtfType.Enum e when e.size() < 8 -> extend(value, e.size(), e.signed());
            case BtfType.Ptr p -> {
                int pointee = attachBtf.skipModifiers(p.type());
                if (contextOf(attachBtf, pointee) != null) {
                    value.markPointer(RegType.PTR_TO_BTF_ID);
                    value.btfId = pointee;
                    value.memSize = (int) attachBtf.sizeOf(pointee);
                }
            }
            default -> {
            }
        }
    }

    /** The trampoline extends a narrow argument to 64 bits as its type says: the bounds follow. */
    private static void extend(RegState value, int size, boolean signed) {
        if (signed) {
            value.coerceToSizeSx(size);
        } else {
            value.coerceToSize(size);
        }
    }

    /**
     * A read through a BTF pointer to a program context: the field it reads in that context's
     * layout (so the access is rewritten to the native field), or {@code null} when the pointer
     * points to something else. The pointer must not have moved; writes are refused by the caller.
     */
    ContextLayout.Field contextField(int regno, RegState reg, int off, int size) {
        ContextLayout layout = observed == null ? null : contextOf(attachBtf, reg.btfId);
        if (layout == null) {
            return null;
        }
        if (!reg.isConst() || reg.tValue != 0) {
            throw VerifyError.access("variable ptr_%s access var_off=%s disallowed", layout.name(), reg.varOff());
        }
        ContextLayout.Field f = off >= 0 && size > 0 ? layout.fieldAt(off, size).orElse(null) : null;
        boolean whole = f != null && (size == f.size() || (f.narrowLoads() && f.kind() == ContextLayout.Kind.SCALAR && size <= f.size()));
        if (f == null || off % size != 0 || !f.readable() || !whole) {
            throw VerifyError.access("R%d invalid read of struct %s off=%d size=%d", regno, layout.name(), off, size);
        }
        return f;
    }

    /**
     * A context BTF pointer passed where a helper takes the context: only helpers that read the
     * context of that type (its "trace" prototypes, as the kernel's {@code bpf_xdp_get_buff_len}),
     * and only the pointer as it was given.
     */
    void contextArgument(HelperId helper, int regno, RegState reg) {
        ContextLayout layout = observed == null ? null : contextOf(attachBtf, reg.btfId);
        String takes = helper == null ? null : switch (helper) {
            case XDP_GET_BUFF_LEN, XDP_LOAD_BYTES -> "xdp_md";
            case SKB_LOAD_BYTES -> "__sk_buff";
            default -> null;
        };
        if (layout == null || !layout.name().equals(takes)) {
            throw VerifyError.access("R%d type=%s expected=ctx: %s does not read a %s", regno, StatePrinter.typeName(reg),
                    helper == null ? "this helper" : helper.cName(), layout == null ? "context" : "struct " + layout.name());
        }
        if (reg.off != 0 || !reg.isConst(0)) {
            throw VerifyError.access("R%d must point to the start of struct %s", regno, layout.name());
        }
    }

    private static void requireScalar(String what, RegState reg, String declared) {
        if (reg.type != RegType.SCALAR) {
            throw VerifyError.access("%s leaks addr into an observer (it is %s, the probe declares '%s')", what, StatePrinter.typeName(reg), declared);
        }
    }

    /** The context layout of the BTF struct {@code typeId}, when it is a program context. */
    private static ContextLayout contextOf(Btf btf, int typeId) {
        if (btf == null || typeId <= 0 || typeId >= btf.size() || !(btf.type(typeId) instanceof BtfType.Struct s)) {
            return null;
        }
        return switch (s.name()) {
            case "xdp_md" -> ContextLayouts.xdp();
            case "__sk_buff" -> ContextLayouts.skb(true);
            default -> null;
        };
    }

    // ---- targets ----------------------------------------------------------------------------

    /**
     * At probe {@code index}'s NOP: each argument register holds a value of the declared type: a
     * scalar for an integer or enum (the trampoline takes its declared width), this program's own
     * context for a pointer to its context type, some pointer (or NULL) for any other pointer.
     */
    void checkSite(int index, Regs regs) {
        SdtProbe p = probes.get(index);
        if (ownBtf == null) {
            throw VerifyError.invalid("SDT probe '%s': no BTF describes the probe's arguments", p.name());
        }
        if (p.btfId() <= 0 || p.btfId() >= ownBtf.size() || !(ownBtf.type(p.btfId()) instanceof BtfType.FuncProto proto)) {
            String kind = p.btfId() > 0 && p.btfId() < ownBtf.size() ? ownBtf.type(p.btfId()).kind().toString() : "missing";
            throw VerifyError.invalid("SDT probe '%s': BTF type %d is %s, not a FUNC_PROTO", p.name(), p.btfId(), kind);
        }
        if (proto.params().size() != p.nrArgs()) {
            throw VerifyError.invalid("SDT probe '%s': its FUNC_PROTO has %d arguments, the site passes %d", p.name(), proto.params().size(),
                    p.nrArgs());
        }
        int[] argRegs = p.argRegs();
        for (int i = 0; i < argRegs.length; i++) {
            int r = argRegs[i];
            RegState reg = regs.get(r);
            int typeId = ownBtf.skipModifiers(proto.params().get(i).type());
            BtfType t = ownBtf.type(typeId);
            String declared = ownBtf.typeName(proto.params().get(i).type());
            String what = String.format("SDT probe '%s' argument %d: R%d", p.name(), i, r);
            if (reg.type == RegType.NOT_INIT) {
                throw VerifyError.access("%s !read_ok", what);
            }
            switch (t) {
                case BtfType.Int it -> requireScalar(what, reg, declared);
                case BtfType.Enum e -> requireScalar(what, reg, declared);
                case BtfType.Enum64 e -> requireScalar(what, reg, declared);
                case BtfType.Ptr ptr -> {
                    ContextLayout ctx = contextOf(ownBtf, ownBtf.skipModifiers(ptr.type()));
                    if (ctx != null && !(reg.type == RegType.PTR_TO_CTX && ctx.name().equals(ownContext.name()) && reg.off == 0 && reg.isConst(0))) {
                        throw VerifyError.access("%s is %s; an argument declared '%s' must be the program's unmodified context (struct %s *)",
                                what, StatePrinter.typeName(reg), declared, ownContext.name());
                    }
                    if (ctx == null && !reg.isPointer() && !reg.isConst(0)) {
                        throw VerifyError.access("%s is %s, but the probe declares the pointer '%s'", what, StatePrinter.typeName(reg), declared);
                    }
                }
                default -> throw VerifyError.invalid("%s: the probe declares '%s', which no register holds", what, declared);
            }
        }
    }
}
