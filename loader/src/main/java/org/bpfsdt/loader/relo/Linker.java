package org.bpfsdt.loader.relo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.FuncInfo;
import org.bpfsdt.api.btf.LineInfo;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.loader.btf.BtfExt;
import org.bpfsdt.loader.object.CodeFunction;
import org.bpfsdt.loader.object.InsnRelo;
import org.bpfsdt.loader.object.ParsedObject;
import org.bpfsdt.loader.sdt.LinkedProbe;
import org.bpfsdt.loader.sdt.SdtNote;

/**
 * Builds one loadable program the way libbpf's {@code bpf_object__relocate} does: CO-RE
 * relocations first, then the program's own code, then every {@code .text} subprogram it
 * reaches (through calls or callback addresses) appended once at the end, with call offsets,
 * map references and BTF.ext records adjusted to the final positions.
 */
public final class Linker {
    private final ParsedObject obj;
    private final CoreRelocator core;

    /** {@code coreTarget}: the BTF CO-RE relocations resolve against (the runtime's types). */
    public Linker(ParsedObject obj, Btf coreTarget) {
        this.obj = obj;
        this.core = obj.btf() == null ? null : new CoreRelocator(obj.btf(), coreTarget);
    }

    public LinkedProgram link(CodeFunction main) {
        List<Insn> out = new ArrayList<>();
        Map<CodeFunction, Integer> placed = new LinkedHashMap<>();
        Deque<CodeFunction> work = new ArrayDeque<>();
        List<Integer> maps = new ArrayList<>();
        placed.put(main, 0);
        out.addAll(Arrays.asList(relocatedCode(main, main)));
        work.add(main);
        while (!work.isEmpty()) {
            CodeFunction f = work.poll();
            int base = placed.get(f);
            for (InsnRelo r : f.relos()) {
                int at = base + r.insn();
                Insn insn = out.get(at);
                switch (r) {
                    case InsnRelo.MapLoad m -> {
                        out.set(at, new Insn(insn.opcode(), insn.dst(), Opcodes.PSEUDO_MAP_IDX, 0, mapSlot(maps, m.map())));
                        out.set(at + 1, out.get(at + 1).withImm(0));
                    }
                    case InsnRelo.DataLoad d -> {
                        out.set(at, new Insn(insn.opcode(), insn.dst(), Opcodes.PSEUDO_MAP_IDX_VALUE, 0, mapSlot(maps, d.map())));
                        out.set(at + 1, out.get(at + 1).withImm((int) d.offset()));
                    }
                    case InsnRelo.SubprogCall c -> out.set(at, insn.withImm(place(main, c.target(), placed, work, out) - at - 1));
                    case InsnRelo.SubprogAddr a -> {
                        out.set(at, new Insn(insn.opcode(), insn.dst(), Opcodes.PSEUDO_FUNC, 0, place(main, a.target(), placed, work, out) - at - 1));
                        out.set(at + 1, out.get(at + 1).withImm(0));
                    }
                }
            }
        }
        List<FuncInfo> funcInfo = new ArrayList<>();
        List<LineInfo> lineInfo = new ArrayList<>();
        List<LinkedProbe> probes = new ArrayList<>();
        List<LinkedProgram.Placement> subs = new ArrayList<>();
        for (Map.Entry<CodeFunction, Integer> e : placed.entrySet()) {
            CodeFunction f = e.getKey();
            int base = e.getValue();
            if (f != main) {
                subs.add(new LinkedProgram.Placement(f.name(), base));
            }
            for (BtfExt.FuncRecord r : obj.btfExt().funcInfo().getOrDefault(f.section(), List.of())) {
                if (f.containsSlot(r.insn())) {
                    funcInfo.add(new FuncInfo(r.insn() - f.sectionInsn() + base, r.typeId()));
                }
            }
            for (BtfExt.LineRecord r : obj.btfExt().lineInfo().getOrDefault(f.section(), List.of())) {
                if (f.containsSlot(r.insn())) {
                    lineInfo.add(new LineInfo(r.insn() - f.sectionInsn() + base, r.file(), r.source(), r.line(), r.column()));
                }
            }
            // a probe in a subprogram belongs to every program that subprogram is appended to
            for (SdtNote n : obj.sdtNotes()) {
                if (n.section().equals(f.section()) && f.containsSlot(n.sectionInsn())) {
                    probes.add(new LinkedProbe(n, n.sectionInsn() - f.sectionInsn() + base));
                }
            }
        }
        probes.sort(java.util.Comparator.comparingInt(LinkedProbe::insn));
        return new LinkedProgram(main.name(), out, maps, funcInfo, lineInfo, subs, probes);
    }

    private static int mapSlot(List<Integer> maps, int objectMap) {
        int i = maps.indexOf(objectMap);
        if (i < 0) {
            maps.add(objectMap);
            i = maps.size() - 1;
        }
        return i;
    }

    /** The position of the {@code .text} function at {@code target}, appending it on first use. */
    private int place(CodeFunction main, int target, Map<CodeFunction, Integer> placed, Deque<CodeFunction> work, List<Insn> out) {
        CodeFunction sub = obj.subprogramAt(target).orElseThrow(() -> new BpfException(Errno.EINVAL,
                obj.fileName() + ": program '" + main.name() + "': no .text function starts at instruction " + target));
        Integer at = placed.get(sub);
        if (at == null) {
            at = out.size();
            placed.put(sub, at);
            out.addAll(Arrays.asList(relocatedCode(main, sub)));
            work.add(sub);
        }
        return at;
    }

    /** {@code f}'s instructions with its CO-RE relocations applied. */
    private Insn[] relocatedCode(CodeFunction main, CodeFunction f) {
        Insn[] insns = f.insns().toArray(new Insn[0]);
        if (core == null) {
            return insns;
        }
        int n = 0;
        for (BtfExt.CoreRelo r : obj.btfExt().coreRelos().getOrDefault(f.section(), List.of())) {
            if (f.containsSlot(r.insn())) {
                int idx = r.insn() - f.sectionInsn();
                String where = obj.fileName() + ": prog '" + main.name() + "'" + (f == main ? "" : " (subprogram '" + f.name() + "')")
                        + ": insn " + idx + ": relo #" + n;
                core.apply(insns, idx, r, where);
            }
            n++;
        }
        return insns;
    }
}
