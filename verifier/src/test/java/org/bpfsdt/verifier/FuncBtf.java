package org.bpfsdt.verifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfBuilder;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.btf.FuncInfo;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.Subprog;

/**
 * BTF and func_info for hand-written programs, as clang emits them for C functions: one FUNC per
 * subprogram (main first, then in address order) with its linkage and FUNC_PROTO, so tests can
 * say which functions are global and what their arguments are. Written as
 * {@code main(ctx) int, global f(int, mem 16, ctx) long, static g(int) int}; argument and return
 * types are {@code int}, {@code long}, {@code ctx} (pointer to the program type's context
 * struct), {@code mem N} (pointer to an N-byte struct), {@code void*}, {@code struct N} (an
 * N-byte struct by value) and {@code void}; an argument may carry decl tags
 * ({@code void* arg:ctx}, {@code mem 8 arg:nonnull}).
 *
 * @param btf      the types
 * @param funcInfo one entry per subprogram
 */
record FuncBtf(Btf btf, List<FuncInfo> funcInfo) {

    /** One function's declaration. */
    record Func(String name, boolean global, List<String> params, String ret) {
    }

    /** Parses {@code spec} for the subprograms of {@code insns}; {@code ctxStruct} names the context struct. */
    static FuncBtf parse(String spec, List<Insn> insns, String ctxStruct) {
        List<Func> funcs = new ArrayList<>();
        for (String decl : splitTopLevel(spec)) {
            String d = decl.strip();
            boolean global = true;
            if (d.startsWith("global ")) {
                d = d.substring(7).strip();
            } else if (d.startsWith("static ")) {
                global = false;
                d = d.substring(7).strip();
            }
            int open = d.indexOf('('), close = d.lastIndexOf(')');
            String name = d.substring(0, open).strip();
            String args = d.substring(open + 1, close).strip();
            List<String> params = args.isEmpty() ? List.of() : splitTopLevel(args).stream().map(String::strip).toList();
            funcs.add(new Func(name, global, params, d.substring(close + 1).strip()));
        }
        return of(funcs, insns, ctxStruct);
    }

    static FuncBtf of(List<Func> funcs, List<Insn> insns, String ctxStruct) {
        List<Integer> starts = subprogStarts(insns);
        if (starts.size() != funcs.size()) {
            throw new IllegalArgumentException(funcs.size() + " functions declared for " + starts.size() + " subprograms");
        }
        Types t = new Types(ctxStruct);
        List<FuncInfo> info = new ArrayList<>();
        for (int i = 0; i < funcs.size(); i++) {
            Func f = funcs.get(i);
            List<BtfType.Param> params = new ArrayList<>();
            List<String[]> tags = new ArrayList<>();
            for (int p = 0; p < f.params().size(); p++) {
                String[] words = f.params().get(p).split("\\s+arg:", 2);
                params.add(new BtfType.Param("a" + p, t.type(words[0])));
                if (words.length > 1) {
                    for (String tag : words[1].split("\\s+arg:")) {
                        tags.add(new String[] {Integer.toString(p), "arg:" + tag.strip()});
                    }
                }
            }
            int proto = t.b.add(new BtfType.FuncProto(t.type(f.ret()), params));
            int func = t.b.add(new BtfType.Func(f.name(), proto, f.global() ? 1 : 0));
            for (String[] tag : tags) {
                t.b.add(new BtfType.DeclTag(tag[1], func, Integer.parseInt(tag[0])));
            }
            info.add(new FuncInfo(starts.get(i), func));
        }
        return new FuncBtf(t.b.build(), info);
    }

    /** Where each subprogram starts: 0 and every target of a local call or function address (as the verifier finds them). */
    static List<Integer> subprogStarts(List<Insn> insns) {
        return Subprog.ofUnverified(insns).stream().map(Subprog::start).toList();
    }

    private static List<String> splitTopLevel(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0, from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) {
                out.add(s.substring(from, i));
                from = i + 1;
            }
        }
        out.add(s.substring(from));
        return out;
    }

    /** The types the declarations use, each added once. */
    private static final class Types {
        final BtfBuilder b = new BtfBuilder();
        final String ctxStruct;
        final java.util.Map<String, Integer> ids = new java.util.HashMap<>();

        Types(String ctxStruct) {
            this.ctxStruct = ctxStruct;
        }

        int type(String spec) {
            String s = spec.strip().toLowerCase(Locale.ROOT);
            Integer known = ids.get(s);
            if (known != null) {
                return known;
            }
            String[] w = s.split("\\s+");
            int id = switch (w[0]) {
                case "void" -> 0;
                case "int" -> b.integer("int", 4, true);
                case "long" -> b.integer("long", 8, true);
                case "void*" -> b.ptr(0);
                case "ctx" -> b.ptr(b.struct(ctxStruct, 0, List.of()));
                case "mem" -> b.ptr(b.struct("buf" + w[1], Integer.parseInt(w[1]), List.of()));
                case "struct" -> b.struct("val" + w[1], Integer.parseInt(w[1]), List.of());
                default -> throw new IllegalArgumentException("unknown type " + spec);
            };
            ids.put(s, id);
            return id;
        }
    }
}
