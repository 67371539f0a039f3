package org.bpfsdt.verifier.rewrite;

import static org.bpfsdt.api.isa.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.ContextLayout;
import org.bpfsdt.api.spi.InsnAux;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.Subprog;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.verifier.VerifyError;
import org.bpfsdt.verifier.check.Env;
import org.bpfsdt.verifier.check.InsnData;
import org.bpfsdt.verifier.domain.RegType;

/**
 * Turns the verified program into what the engines run (the kernel's post-verification
 * passes): conditional jumps that always go one way become unconditional, unreachable code and
 * {@code goto +0} are removed (SDT probe NOPs are kept), context accesses become loads and stores
 * of the native context, map loads become addresses, and array lookups are inlined. Every
 * instruction carries its loaded slot, so jumps, subprograms, probe offsets and
 * {@code origToXlated} follow every insertion and removal.
 */
public final class Rewriter {
    /** One output slot: the instruction, the loaded slot it came from (-1 if inserted), and whether its jump must be retargeted. */
    private record Slot(Insn insn, int orig, boolean retarget) {
    }

    private final Env env;
    private final VerifierRequest req;
    private final Insn[] in;
    /** Per loaded slot: the SDT probe whose NOP it is, or -1 ({@link Env#probeAt}). */
    private final int[] probeAt;

    /** A rewriter for {@code env}'s program; refuses, before verification, SDT probes whose offsets are not NOPs. */
    public Rewriter(Env env) {
        this.env = env;
        this.req = env.req;
        this.in = env.insns;
        this.probeAt = env.probeAt;
        for (SdtProbe p : req.sdtProbes()) {
            int off = p.origOff();
            if (off < 0 || off >= in.length || in[off].opcode() != JA_OP || in[off].off() != 0) {
                throw VerifyError.invalid("SDT probe '%s': instruction %d is not a goto +0", p.name(), off);
            }
        }
    }

    public Result rewrite() {
        int n = in.length;
        InsnData[] aux = env.aux;
        List<List<Slot>> repl = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            repl.add(replacement(i, aux));
        }
        // positions of each loaded slot's replacement in the output; removed slots map to what follows
        int[] newPos = new int[n + 1];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            newPos[i] = pos;
            pos += repl.get(i).size();
        }
        newPos[n] = pos;
        List<Insn> out = new ArrayList<>(pos);
        List<InsnAux> outAux = new ArrayList<>(pos);
        int[] origToXlated = new int[n];
        Arrays.fill(origToXlated, -1);
        for (int i = 0; i < n; i++) {
            List<Slot> r = repl.get(i);
            for (int k = 0; k < r.size(); k++) {
                Slot s = r.get(k);
                int at = newPos[i] + k;
                Insn insn = s.retarget ? retarget(s.insn, i, at, newPos) : s.insn;
                out.add(insn);
                int orig = s.orig;
                if (orig >= 0 && origToXlated[orig] < 0) {
                    origToXlated[orig] = at;
                }
                InsnData a = orig >= 0 ? aux[orig] : null;
                boolean div = a != null && a.divVisited && a.divNonZero && isDivMod(insn);
                int mapIndex = a != null && a.mapIndex >= 0 && (insn.isLddw() || insn.isHelperCall()) ? a.mapIndex : -1;
                int probe = orig >= 0 && k == 0 ? probeAt[orig] : -1;
                outAux.add(new InsnAux(orig, a == null || a.seen || probe >= 0, div, mapIndex, probe));
            }
        }
        List<Subprog> subprogs = new ArrayList<>();
        for (int s = 0; s < env.cfg.subprogCount(); s++) {
            int start = newPos[env.cfg.subprogStart(s)];
            int end = newPos[env.cfg.subprogEnd(s)];
            int depth = (env.subprogStack[s] + 7) & ~7;
            if (end > start) {
                // a function only called from code that never runs is gone with its calls
                subprogs.add(new Subprog(start, end, depth, env.funcs.name(s)));
            }
        }
        List<SdtProbe> probes = new ArrayList<>();
        for (SdtProbe p : req.sdtProbes()) {
            probes.add(new SdtProbe(p.name(), p.origOff(), origToXlated[p.origOff()], p.btfId(), p.argRegs()));
        }
        return new Result(out, outAux, subprogs, origToXlated, probes);
    }

    /** The rewritten program and what goes with it. */
    public record Result(List<Insn> insns, List<InsnAux> aux, List<Subprog> subprogs, int[] origToXlated, List<SdtProbe> probes) {
    }

    private static boolean isDivMod(Insn insn) {
        int op = op(insn.opcode());
        return isAlu(insn.opcode()) && (op == DIV || op == MOD) && source(insn.opcode()) == X;
    }

    /** What loaded slot {@code i} becomes. */
    private List<Slot> replacement(int i, InsnData[] aux) {
        Insn insn = in[i];
        if (env.cfg.isLddwTail(i)) {
            return List.of();
        }
        boolean probe = probeAt[i] >= 0;
        if (!aux[i].seen && !probe) {
            return List.of();
        }
        if (insn.isLddw()) {
            return mapLoad(i, insn);
        }
        int code = insn.opcode();
        if (insn.isJump() && !insn.isUnconditionalJump() && code != MAY_GOTO_OP) {
            // a comparison that always went one way is a plain jump, or nothing
            boolean fallSeen = aux[i].fallthrough && aux[i + 1].seen;
            boolean takenSeen = aux[i].taken && aux[insn.jumpTarget(i)].seen;
            if (!fallSeen) {
                return List.of(new Slot(Insn.ja(insn.off()), i, true));
            }
            if (!takenSeen) {
                return List.of();
            }
            return List.of(new Slot(insn, i, true));
        }
        if (code == JA_OP && insn.off() == 0 && !probe) {
            return List.of();
        }
        if (insn.isJump() || code == MAY_GOTO_OP || insn.isLocalCall()) {
            return List.of(new Slot(insn, i, true));
        }
        if ((aux[i].ptrType == RegType.PTR_TO_CTX || aux[i].ptrType == RegType.PTR_TO_BTF_ID) && aux[i].ctxField != null) {
            return List.of(new Slot(contextAccess(insn, aux[i]), i, false));
        }
        if (insn.isHelperCall() && insn.imm() == HelperId.MAP_LOOKUP_ELEM.id() && aux[i].mapIndex >= 0) {
            MapDescriptor m = req.maps().get(aux[i].mapIndex);
            if (m.inlineLookup().isPresent() && !m.inlineLookup().get().isEmpty()) {
                List<Slot> l = new ArrayList<>();
                List<Insn> body = m.inlineLookup().get();
                for (int k = 0; k < body.size(); k++) {
                    l.add(new Slot(body.get(k), k == 0 ? i : -1, false));
                }
                return l;
            }
        }
        return List.of(new Slot(insn, i, false));
    }

    private List<Slot> mapLoad(int i, Insn insn) {
        Insn next = in[i + 1];
        int src = insn.src();
        long value;
        switch (src) {
            case PSEUDO_MAP_FD, PSEUDO_MAP_IDX -> value = req.maps().get(env.aux[i].mapIndex).address();
            case PSEUDO_MAP_VALUE, PSEUDO_MAP_IDX_VALUE -> value = req.maps().get(env.aux[i].mapIndex).valueBase() + (next.imm() & 0xffffffffL);
            case PSEUDO_FUNC -> {
                // a callback's address stays a relative instruction offset, retargeted like a call
                return List.of(new Slot(insn, i, true), new Slot(next, i + 1, false));
            }
            default -> {
                return List.of(new Slot(insn, i, false), new Slot(next, i + 1, false));
            }
        }
        Insn[] l = Insn.lddw(insn.dst(), 0, value);
        return List.of(new Slot(l[0], i, false), new Slot(l[1], i + 1, false));
    }

    /** A context load or store on the native context (convert_ctx_accesses). */
    private static Insn contextAccess(Insn insn, InsnData a) {
        ContextLayout.Field f = a.ctxField;
        int code = insn.opcode();
        int within = insn.off() - f.offset();
        if (f.kind() != ContextLayout.Kind.SCALAR) {
            // pointer fields are 8 bytes natively; the program reads all of them
            return new Insn(LDX | MEM | DW, insn.dst(), insn.src(), f.nativeOffset(), 0);
        }
        // the same bytes of the native field (little endian: a narrow access starts at its low end)
        int mode = mode(code);
        return new Insn(cls(code) | mode | size(code), insn.dst(), insn.src(), f.nativeOffset() + within, insn.imm());
    }

    /** The instruction at output slot {@code at} (from loaded slot {@code i}) with its target moved to the output's. */
    private Insn retarget(Insn insn, int i, int at, int[] newPos) {
        int code = insn.opcode();
        if (insn.isLocalCall() || (insn.isLddw() && insn.src() == PSEUDO_FUNC)) {
            int t = i + 1 + insn.imm();
            return insn.withImm(newPos[t] - at - 1);
        }
        int t = code == GOTOL_OP ? i + 1 + insn.imm() : i + 1 + insn.off();
        int rel = newPos[t] - at - 1;
        if (code == GOTOL_OP) {
            return insn.withImm(rel);
        }
        if (rel < Short.MIN_VALUE || rel > Short.MAX_VALUE) {
            throw VerifyError.invalid("insn %d: jump offset %d does not fit after rewriting", i, rel);
        }
        return insn.withOff(rel);
    }
}
