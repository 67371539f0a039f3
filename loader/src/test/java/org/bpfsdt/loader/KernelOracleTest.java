package org.bpfsdt.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.MapFlags;
import org.bpfsdt.api.MapSpec;
import org.bpfsdt.api.MapType;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.oracle.KernelBpf;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The Linux kernel loads and runs the programs exactly as this loader links them (subprograms
 * appended, map references rewritten, CO-RE resolved against the runtime's context types), and
 * returns the results documented in {@code testprogs/README.md} and the yardstick README. Map
 * indices become the kernel's map fds (the kernel oracle has no {@code fd_array}). Programs that
 * need func_info or map BTF in the kernel (callbacks, spin locks) are left to the runtime's tests.
 * Skipped, with the reason, where the {@code bpf()} syscall is not available.
 */
class KernelOracleTest {
    private static final Path PKT = Path.of(System.getProperty("bpfsdt.shared", "../../shared"), "bench", "inputs", "pkt_tcp4.bin");
    private static final Path PKT_FNV = PKT.resolveSibling("pkt_fnv.bin");

    private record Case(Path object, String program, Path data, byte[] ctx, long retval, Consumer<ObjectFile> configure) {
        String name() {
            return object.getFileName() + " " + program + " -> " + retval;
        }
    }

    private static Case tp(String obj, String prog, long retval) {
        return new Case(TestObjects.testprog(obj), prog, PKT, null, retval, o -> { });
    }

    private static Case bench(String obj, String prog, Path data, long retval) {
        return new Case(TestObjects.benchProgs().resolve(obj), prog, data, null, retval, o -> { });
    }

    @TestFactory
    Stream<DynamicTest> theKernelRunsTheLinkedProgramsWithTheDocumentedResults() {
        byte[] skbMark7 = new byte[192];
        skbMark7[8] = 7;
        List<Case> cases = List.of(
                tp("map_array.o", "array_ops", 64),
                tp("map_hash.o", "hash_ops", 1),
                tp("map_queue_stack.o", "queue_stack", 113321),
                tp("map_lpm_bloom.o", "lpm_bloom", 1),
                tp("map_ringbuf.o", "ringbuf_ops", 64),
                tp("tail_call.o", "tail_entry", 2),
                tp("xdp_adjust.o", "xdp_adjust", 40),
                tp("tc_skb.o", "tc_fields", 100641064),
                tp("tc_skb.o", "tc_classify", 2),
                tp("socket_filter.o", "socket_filter", 20),
                tp("global_data.o", "global_data", 207),
                new Case(TestObjects.testprog("global_data.o"), "global_data", PKT, null, 655, o -> o.global("multiplier").set(10)),
                tp("subprogs.o", "prog_a", 1089),
                tp("subprogs.o", "prog_b", 64),
                new Case(TestObjects.testprog("core_ctx.o"), "core_ctx", PKT, skbMark7, 11307064, o -> { }),
                tp("multi_prog.o", "count_pass", 2),
                tp("multi_prog.o", "count_drop", 1),
                tp("multi_prog.o", "count_len", 64),
                tp("multi_prog.o", "frags_len", 64),
                tp("btf_kinds.o", "kinds_prog", 76),
                bench("xdp_parse.o", "xdp_parse", PKT, 1),
                bench("xdp_fnv.o", "xdp_fnv", PKT_FNV, 197),
                bench("compute_primes.o", "compute_primes", PKT, 168),
                bench("array_counter.o", "array_counter", PKT, 2),
                bench("hash_flow.o", "hash_flow", PKT, 2),
                bench("sdt_like.o", "sdt_like", PKT, 2),
                bench("sdt_like.o", "sdt_like_noprobe", PKT, 2),
                bench("sdt_like_linked.o", "sdt_like", PKT, 2));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            KernelBpf.Availability a = KernelBpf.availability();
            assumeTrue(a.available(), a.reason());
            assertEquals(c.retval(), runInKernel(c));
        }));
    }

    private static long runInKernel(Case c) throws IOException {
        ObjectFile obj = ObjectFile.open(c.object());
        c.configure().accept(obj);
        List<Integer> fds = new ArrayList<>();
        try {
            List<Integer> mapFds = new ArrayList<>();
            for (ObjectMap m : obj.maps()) {
                MapSpec s = m.toSpec();
                int fd = KernelBpf.mapCreate(s.type(), s.keySize(), s.valueSize(), s.maxEntries(), s.flags(), s.mapExtra(), s.name());
                fds.add(fd);
                mapFds.add(fd);
                if (m.kind().isGlobalData()) {
                    KernelBpf.mapUpdate(fd, new byte[4], m.initialValue(), MapFlags.ANY);
                    if (m.frozenAfterLoad()) {
                        KernelBpf.mapFreeze(fd);
                    }
                }
            }
            int progFd = -1;
            List<String> loaded = new ArrayList<>();
            List<Integer> progFds = new ArrayList<>();
            for (ObjectProgram p : obj.programs()) {
                if (p.type() == null) {
                    continue;
                }
                int fd = KernelBpf.progLoad(new KernelBpf.ProgLoad(p.type(), withMapFds(p, obj, mapFds), obj.license(),
                        p.attachType() == null || p.attachType() == AttachType.TRACE_SDT ? 0 : p.attachType().kernelId(), 1));
                fds.add(fd);
                loaded.add(p.name());
                progFds.add(fd);
                if (p.name().equals(c.program())) {
                    progFd = fd;
                }
            }
            for (int i = 0; i < obj.maps().size(); i++) {
                ObjectMap m = obj.maps().get(i);
                for (int slot = 0; m.type() == MapType.PROG_ARRAY && slot < m.initialSlots().size(); slot++) {
                    String target = m.initialSlots().get(slot);
                    if (target != null) {
                        KernelBpf.mapUpdate(mapFds.get(i), ObjectLoader.le32(slot), ObjectLoader.le32(progFds.get(loaded.indexOf(target))), MapFlags.ANY);
                    }
                }
            }
            return KernelBpf.testRun(progFd, Files.readAllBytes(c.data()), c.ctx(), 1, 4096).retval();
        } catch (BpfException e) {
            throw new AssertionError(e.getMessage() + "\n" + e.log(), e);
        } finally {
            fds.forEach(KernelBpf::close);
        }
    }

    /** The program's instructions with {@code BPF_PSEUDO_MAP_IDX[_VALUE]} turned into the kernel's {@code MAP_FD}/{@code MAP_VALUE} forms. */
    private static List<Insn> withMapFds(ObjectProgram p, ObjectFile obj, List<Integer> mapFds) {
        List<Integer> objectIndex = p.mapNames().stream().map(n -> obj.maps().indexOf(obj.map(n))).toList();
        List<Insn> out = new ArrayList<>(p.instructions());
        for (int pc = 0; pc < out.size(); pc++) {
            Insn in = out.get(pc);
            if (in.isLddw() && (in.src() == Opcodes.PSEUDO_MAP_IDX || in.src() == Opcodes.PSEUDO_MAP_IDX_VALUE)) {
                int src = in.src() == Opcodes.PSEUDO_MAP_IDX ? Opcodes.PSEUDO_MAP_FD : Opcodes.PSEUDO_MAP_VALUE;
                out.set(pc, new Insn(in.opcode(), in.dst(), src, 0, mapFds.get(objectIndex.get(in.imm()))));
            }
        }
        return out;
    }
}
