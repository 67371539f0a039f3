package org.bpfsdt.loader.relo;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.loader.btf.BtfExt;
import org.bpfsdt.loader.btf.CoreReloKind;

/**
 * Resolves CO-RE relocations against a target BTF (the runtime's own types) with the rules of
 * libbpf's {@code relo_core.c}: candidates are target types of the same kind whose name matches
 * without its {@code ___flavour} suffix; fields match by name (through anonymous members) and
 * compatible type; every matching candidate must give the same value; the instruction's
 * immediate or offset is checked against the compiler's value and rewritten (a load or store
 * may change size when an int or pointer field has another width in the target). A relocation
 * that cannot be resolved fails, naming the program, instruction, type and field.
 */
public final class CoreRelocator {
    private static final int MAX_DEPTH = 32;
    private static final int MAX_SPEC_LEN = 64;

    private final Btf local;
    private final Btf target;

    public CoreRelocator(Btf local, Btf target) {
        this.local = local;
        this.target = target;
    }

    /** What a relocation computes: the compiler's value, the target's, and the field sizes behind a load. */
    private record Result(long value, int fieldSize, int fieldTypeId, boolean validate) {
    }

    /**
     * Applies {@code relo} to {@code insns[idx]} (and its second slot for an LDDW).
     *
     * @param where names the program and instruction in errors ({@code "prog 'x': insn 12"})
     */
    public void apply(Insn[] insns, int idx, BtfExt.CoreRelo relo, String where) {
        String what = where + ": CO-RE relocation " + relo.kind().libbpfName();
        if (idx < 0 || idx >= insns.length) {
            throw new BpfException(Errno.EINVAL, what + ": instruction is outside the program");
        }
        if (relo.kind() == CoreReloKind.TYPE_ID_LOCAL) {
            patch(insns, idx, new Result(relo.typeId(), 0, 0, true), new Result(relo.typeId(), 0, 0, true), what);
            return;
        }
        CoreSpec localSpec = parseSpec(relo, what);
        what += " of " + localSpec.describe() + " (access " + relo.access() + ")";
        Result orig = compute(relo.kind(), localSpec, what);
        CoreSpec found = null;
        Result resolved = null;
        String localName = essentialName(local.type(relo.typeId()).name());
        for (int id = 1; id < target.size(); id++) {
            BtfType cand = target.type(id);
            if (cand.kind() != local.type(relo.typeId()).kind() || !essentialName(cand.name()).equals(localName)) {
                continue;
            }
            CoreSpec spec = new CoreSpec(target, id);
            if (!match(localSpec, spec, relo.kind(), what)) {
                continue;
            }
            Result r = compute(relo.kind(), spec, what);
            if (resolved != null && (r.value() != resolved.value() || r.fieldSize() != resolved.fieldSize())) {
                throw new BpfException(Errno.EINVAL, what + ": ambiguous: " + found.describe() + " gives " + resolved.value()
                        + " but " + spec.describe() + " gives " + r.value());
            }
            found = spec;
            resolved = r;
        }
        if (resolved == null) {
            if (relo.kind() == CoreReloKind.FIELD_EXISTS || relo.kind() == CoreReloKind.TYPE_EXISTS
                    || relo.kind() == CoreReloKind.ENUMVAL_EXISTS || relo.kind() == CoreReloKind.TYPE_MATCHES) {
                resolved = new Result(0, 0, 0, true);
            } else {
                throw new BpfException(Errno.ESRCH, what + ": the runtime has no matching "
                        + (relo.kind().isEnumValueBased() ? "enumerator" : relo.kind().isFieldBased() ? "field" : "type")
                        + " (it offers " + String.join(", ", targetNames()) + ")");
            }
        }
        patch(insns, idx, orig, resolved, what);
    }

    private List<String> targetNames() {
        List<String> out = new ArrayList<>();
        for (int id = 1; id < target.size(); id++) {
            BtfType t = target.type(id);
            if ((t instanceof BtfType.Struct || t instanceof BtfType.Union) && !t.name().isEmpty()) {
                out.add(target.typeName(id));
            }
        }
        return out;
    }

    /** libbpf's "essential" name: {@code task_struct___old} matches {@code task_struct}. */
    static String essentialName(String name) {
        int i = name.indexOf("___");
        return i > 0 ? name.substring(0, i) : name;
    }

    private CoreSpec parseSpec(BtfExt.CoreRelo relo, String what) {
        String[] parts = relo.access().split(":");
        if (parts.length > MAX_SPEC_LEN) {
            throw new BpfException(Errno.E2BIG, what + ": access string '" + relo.access() + "' is too long");
        }
        int[] raw = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                raw[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new BpfException(Errno.EINVAL, what + ": malformed access string '" + relo.access() + "'");
            }
        }
        CoreSpec spec = new CoreSpec(local, relo.typeId());
        CoreReloKind kind = relo.kind();
        if (!kind.isFieldBased() && !kind.isEnumValueBased()) {
            return spec;
        }
        int id = local.skipModifiers(relo.typeId());
        BtfType t = local.type(id);
        if (kind.isEnumValueBased()) {
            List<BtfType.EnumValue> values = enumValues(t);
            if (values == null || raw.length != 1 || raw[0] >= values.size()) {
                throw new BpfException(Errno.EINVAL, what + ": access '" + relo.access() + "' is not an enumerator of "
                        + local.typeName(relo.typeId()));
            }
            spec.accessors.add(new CoreSpec.Accessor(id, raw[0], values.get(raw[0]).name()));
            spec.raw.add(raw[0]);
            return spec;
        }
        spec.accessors.add(new CoreSpec.Accessor(id, raw[0], null));
        spec.raw.add(raw[0]);
        spec.bitOffset = (long) raw[0] * sizeOf(local, id, what) * 8;
        for (int i = 1; i < raw.length; i++) {
            id = local.skipModifiers(id);
            t = local.type(id);
            int idx = raw[i];
            spec.raw.add(idx);
            List<BtfType.Member> members = members(t);
            if (members != null) {
                if (idx >= members.size()) {
                    throw new BpfException(Errno.EINVAL, what + ": member index " + idx + " is out of range for " + local.typeName(id));
                }
                BtfType.Member m = members.get(idx);
                spec.bitOffset += Integer.toUnsignedLong(m.bitOffset());
                if (!m.name().isEmpty()) {
                    spec.accessors.add(new CoreSpec.Accessor(id, idx, m.name()));
                }
                id = m.type();
            } else if (t instanceof BtfType.Array a) {
                boolean flex = isFlexArray(local, spec.last(), a);
                if (!flex && idx >= a.nelems()) {
                    throw new BpfException(Errno.EINVAL, what + ": array index " + idx + " is out of range for " + local.typeName(id));
                }
                id = local.skipModifiers(a.elemType());
                spec.accessors.add(new CoreSpec.Accessor(id, idx, null));
                spec.bitOffset += (long) idx * sizeOf(local, id, what) * 8;
            } else {
                throw new BpfException(Errno.EINVAL, what + ": access step " + i + " lands on " + local.typeName(id)
                        + ", which is neither a struct, a union nor an array");
            }
        }
        return spec;
    }

    private static List<BtfType.Member> members(BtfType t) {
        return switch (t) {
            case BtfType.Struct s -> s.members();
            case BtfType.Union u -> u.members();
            default -> null;
        };
    }

    private static List<BtfType.EnumValue> enumValues(BtfType t) {
        return switch (t) {
            case BtfType.Enum e -> e.values();
            case BtfType.Enum64 e -> e.values();
            default -> null;
        };
    }

    private static boolean isFlexArray(Btf btf, CoreSpec.Accessor parent, BtfType.Array a) {
        if (parent.name() == null || a.nelems() > 0) {
            return false;
        }
        List<BtfType.Member> m = members(btf.type(parent.typeId()));
        return m != null && parent.idx() == m.size() - 1;
    }

    private static long sizeOf(Btf btf, int id, String what) {
        try {
            return btf.sizeOf(id);
        } catch (BpfException e) {
            throw new BpfException(Errno.EINVAL, what + ": " + btf.typeName(id) + " has no size");
        }
    }

    // ---- matching a local spec in the target ----

    private boolean match(CoreSpec localSpec, CoreSpec spec, CoreReloKind kind, String what) {
        if (!kind.isFieldBased() && !kind.isEnumValueBased()) {
            return kind == CoreReloKind.TYPE_MATCHES ? typesMatch(localSpec.rootTypeId, spec.rootTypeId, 0)
                    : typesCompatible(localSpec.rootTypeId, spec.rootTypeId, 0);
        }
        if (kind.isEnumValueBased()) {
            int id = target.skipModifiers(spec.rootTypeId);
            List<BtfType.EnumValue> values = enumValues(target.type(id));
            if (values == null) {
                return false;
            }
            String want = essentialName(localSpec.accessors.get(0).name());
            for (int i = 0; i < values.size(); i++) {
                if (essentialName(values.get(i).name()).equals(want)) {
                    spec.accessors.add(new CoreSpec.Accessor(id, i, values.get(i).name()));
                    spec.raw.add(i);
                    return true;
                }
            }
            return false;
        }
        int targId = spec.rootTypeId;
        for (int i = 0; i < localSpec.accessors.size(); i++) {
            CoreSpec.Accessor la = localSpec.accessors.get(i);
            targId = target.skipModifiers(targId);
            if (la.name() != null) {
                int next = matchMember(la, targId, spec, 0);
                if (next < 0) {
                    return false;
                }
                targId = next;
            } else {
                if (i > 0) {
                    if (!(target.type(targId) instanceof BtfType.Array a)) {
                        return false;
                    }
                    if (!isFlexArray(target, spec.last(), a) && la.idx() >= a.nelems()) {
                        return false;
                    }
                    targId = target.skipModifiers(a.elemType());
                }
                spec.accessors.add(new CoreSpec.Accessor(targId, la.idx(), null));
                spec.raw.add(la.idx());
                spec.bitOffset += (long) la.idx() * sizeOf(target, targId, what) * 8;
            }
        }
        return true;
    }

    /** Finds local member {@code la} in target composite {@code targId}, looking inside anonymous members; gives the member's type or -1. */
    private int matchMember(CoreSpec.Accessor la, int targId, CoreSpec spec, int depth) {
        BtfType.Member lm = members(local.type(la.typeId())).get(la.idx());
        List<BtfType.Member> tms = members(target.resolve(targId));
        if (tms == null || depth > MAX_DEPTH) {
            return -1;
        }
        int compositeId = target.skipModifiers(targId);
        for (int i = 0; i < tms.size(); i++) {
            BtfType.Member tm = tms.get(i);
            long bits = Integer.toUnsignedLong(tm.bitOffset());
            spec.bitOffset += bits;
            spec.raw.add(i);
            if (tm.name().isEmpty()) {
                int found = matchMember(la, tm.type(), spec, depth + 1);
                if (found >= 0) {
                    return found;
                }
            } else if (tm.name().equals(lm.name())) {
                if (!fieldsCompatible(lm.type(), tm.type(), 0)) {
                    spec.bitOffset -= bits;
                    spec.raw.remove(spec.raw.size() - 1);
                    return -1;
                }
                spec.accessors.add(new CoreSpec.Accessor(compositeId, i, tm.name()));
                return tm.type();
            }
            spec.bitOffset -= bits;
            spec.raw.remove(spec.raw.size() - 1);
        }
        return -1;
    }

    private boolean fieldsCompatible(int localId, int targId, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        BtfType l = local.resolve(localId), t = target.resolve(targId);
        if (members(l) != null && members(t) != null) {
            return true;
        }
        boolean bothEnums = enumValues(l) != null && enumValues(t) != null;
        if (l.kind() != t.kind() && !bothEnums) {
            return false;
        }
        return switch (l) {
            case BtfType.Ptr p -> true;
            case BtfType.Float f -> true;
            case BtfType.Fwd f -> essentialName(f.name()).equals(essentialName(t.name()));
            case BtfType.Enum e -> e.name().isEmpty() || t.name().isEmpty() || essentialName(e.name()).equals(essentialName(t.name()));
            case BtfType.Enum64 e -> e.name().isEmpty() || t.name().isEmpty() || essentialName(e.name()).equals(essentialName(t.name()));
            case BtfType.Int i -> i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0;
            case BtfType.Array a -> fieldsCompatible(a.elemType(), ((BtfType.Array) t).elemType(), depth + 1);
            default -> false;
        };
    }

    /** libbpf's {@code bpf_core_types_are_compat}, for type-based relocations. */
    private boolean typesCompatible(int localId, int targId, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        BtfType l = local.resolve(localId), t = target.resolve(targId);
        boolean bothEnums = enumValues(l) != null && enumValues(t) != null;
        if (l.kind() != t.kind() && !bothEnums) {
            return false;
        }
        return switch (l) {
            case BtfType.Void v -> true;
            case BtfType.Struct s -> true;
            case BtfType.Union u -> true;
            case BtfType.Enum e -> true;
            case BtfType.Enum64 e -> true;
            case BtfType.Fwd f -> true;
            case BtfType.Int i -> i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0;
            case BtfType.Ptr p -> typesCompatible(p.type(), ((BtfType.Ptr) t).type(), depth + 1);
            case BtfType.Array a -> typesCompatible(a.elemType(), ((BtfType.Array) t).elemType(), depth + 1);
            case BtfType.FuncProto fp -> {
                BtfType.FuncProto tp = (BtfType.FuncProto) t;
                if (fp.params().size() != tp.params().size()) {
                    yield false;
                }
                for (int i = 0; i < fp.params().size(); i++) {
                    if (!typesCompatible(fp.params().get(i).type(), tp.params().get(i).type(), depth + 1)) {
                        yield false;
                    }
                }
                yield typesCompatible(fp.returnType(), tp.returnType(), depth + 1);
            }
            default -> false;
        };
    }

    /** {@code bpf_core_type_matches}: compatible, and every local member exists in the target with a matching type. */
    private boolean typesMatch(int localId, int targId, int depth) {
        if (!typesCompatible(localId, targId, depth)) {
            return false;
        }
        List<BtfType.Member> lm = members(local.resolve(localId)), tm = members(target.resolve(targId));
        if (lm == null) {
            return true;
        }
        for (BtfType.Member m : lm) {
            BtfType.Member other = tm.stream().filter(x -> x.name().equals(m.name())).findFirst().orElse(null);
            if (other == null || depth > MAX_DEPTH || !typesMatch(m.type(), other.type(), depth + 1)) {
                return false;
            }
        }
        return true;
    }

    // ---- values ----

    private Result compute(CoreReloKind kind, CoreSpec spec, String what) {
        Btf btf = spec.btf;
        switch (kind) {
            case TYPE_ID_TARGET:
                return new Result(spec.rootTypeId, 0, 0, true);
            case TYPE_EXISTS, TYPE_MATCHES, ENUMVAL_EXISTS, FIELD_EXISTS:
                return new Result(1, 0, 0, true);
            case TYPE_SIZE:
                return new Result(sizeOf(btf, spec.rootTypeId, what), 0, 0, true);
            case ENUMVAL_VALUE: {
                CoreSpec.Accessor a = spec.accessors.get(0);
                return new Result(enumValues(btf.type(a.typeId())).get(a.idx()).value(), 0, 0, true);
            }
            default:
                break;
        }
        CoreSpec.Accessor acc = spec.last();
        if (acc.name() == null) {
            long size = sizeOf(btf, acc.typeId(), what);
            return switch (kind) {
                case FIELD_BYTE_OFFSET -> new Result(spec.bitOffset / 8, (int) size, acc.typeId(), true);
                case FIELD_BYTE_SIZE -> new Result(size, 0, 0, true);
                default -> throw new BpfException(Errno.EINVAL, what + ": " + kind.libbpfName() + " cannot apply to an array element");
            };
        }
        BtfType.Member m = members(btf.type(acc.typeId())).get(acc.idx());
        int fieldType = btf.skipModifiers(m.type());
        BtfType mt = btf.type(fieldType);
        long bitOff = spec.bitOffset;
        long bitSize = m.bitfieldSize();
        boolean bitfield = bitSize > 0;
        long byteSize, byteOff;
        if (bitfield) {
            byteSize = sizeOf(btf, fieldType, what);
            byteOff = bitOff / 8 / byteSize * byteSize;
            while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
                if (byteSize >= 8) {
                    throw new BpfException(Errno.E2BIG, what + ": bitfield cannot be read with a 64-bit load");
                }
                byteSize *= 2;
                byteOff = bitOff / 8 / byteSize * byteSize;
            }
        } else {
            byteSize = sizeOf(btf, fieldType, what);
            byteOff = bitOff / 8;
            bitSize = byteSize * 8;
        }
        return switch (kind) {
            case FIELD_BYTE_OFFSET -> new Result(byteOff, bitfield ? 0 : (int) byteSize, bitfield ? 0 : fieldType, !bitfield);
            case FIELD_BYTE_SIZE -> new Result(byteSize, 0, 0, !bitfield);
            case FIELD_SIGNED -> new Result((mt instanceof BtfType.Int i && i.isSigned())
                    || (mt instanceof BtfType.Enum e && e.signed()) || (mt instanceof BtfType.Enum64 e64 && e64.signed()) ? 1 : 0, 0, 0, true);
            case FIELD_LSHIFT_U64 -> new Result(64 - (bitOff + bitSize - byteOff * 8), 0, 0, !bitfield);
            case FIELD_RSHIFT_U64 -> new Result(64 - bitSize, 0, 0, true);
            default -> throw new IllegalStateException(kind.toString());
        };
    }

    // ---- patching ----

    private void patch(Insn[] insns, int idx, Result orig, Result res, String what) {
        Insn insn = insns[idx];
        int cls = insn.cls();
        boolean validate = orig.validate();
        if (cls == Opcodes.ALU || cls == Opcodes.ALU64) {
            if (Opcodes.source(insn.opcode()) != Opcodes.K) {
                throw new BpfException(Errno.EINVAL, what + ": the ALU instruction does not use an immediate");
            }
            if (validate && (insn.imm() & 0xffffffffL) != (orig.value() & 0xffffffffL)) {
                throw new BpfException(Errno.EINVAL, what + ": instruction holds " + insn.imm() + ", the compiler's value is " + orig.value());
            }
            insns[idx] = insn.withImm((int) res.value());
        } else if (cls == Opcodes.LDX || cls == Opcodes.ST || cls == Opcodes.STX) {
            if (validate && insn.off() != orig.value()) {
                throw new BpfException(Errno.EINVAL, what + ": instruction offset is " + insn.off() + ", the compiler's value is " + orig.value());
            }
            if (res.value() > Short.MAX_VALUE) {
                throw new BpfException(Errno.ERANGE, what + ": offset " + res.value() + " does not fit an instruction");
            }
            Insn out = insn.withOff((int) res.value());
            if (res.fieldSize() != 0 && orig.fieldSize() != res.fieldSize()) {
                BtfType ot = local.type(orig.fieldTypeId()), nt = target.type(res.fieldTypeId());
                boolean ptrs = ot instanceof BtfType.Ptr && nt instanceof BtfType.Ptr;
                boolean ints = ot instanceof BtfType.Int oi && nt instanceof BtfType.Int ni && oi.encoding() == ni.encoding();
                int sizeCode = switch (res.fieldSize()) {
                    case 1 -> Opcodes.B;
                    case 2 -> Opcodes.H;
                    case 4 -> Opcodes.W;
                    case 8 -> Opcodes.DW;
                    default -> -1;
                };
                if (!(ptrs || ints) || sizeCode < 0) {
                    throw new BpfException(Errno.EINVAL, what + ": the field is " + orig.fieldSize() + " bytes here but "
                            + res.fieldSize() + " bytes in the runtime, and the access cannot be resized");
                }
                out = new Insn((out.opcode() & ~0x18) | sizeCode, out.dst(), out.src(), out.off(), out.imm());
            }
            insns[idx] = out;
        } else if (insn.isLddw()) {
            if (idx + 1 >= insns.length) {
                throw new BpfException(Errno.EINVAL, what + ": LDDW is truncated");
            }
            long imm = insn.imm64(insns[idx + 1]);
            if (validate && imm != orig.value()) {
                throw new BpfException(Errno.EINVAL, what + ": instruction holds " + imm + ", the compiler's value is " + orig.value());
            }
            insns[idx] = insn.withImm((int) res.value());
            insns[idx + 1] = insns[idx + 1].withImm((int) (res.value() >>> 32));
        } else {
            throw new BpfException(Errno.EINVAL, what + ": instruction (opcode 0x" + Integer.toHexString(insn.opcode())
                    + ") cannot be relocated");
        }
    }
}
