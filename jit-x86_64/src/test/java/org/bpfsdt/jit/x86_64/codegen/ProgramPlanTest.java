package org.bpfsdt.jit.x86_64.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.isa.Assembler;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.InsnAux;
import org.bpfsdt.api.spi.JitRequest;
import org.bpfsdt.api.spi.MapDescriptor;
import org.bpfsdt.api.spi.SdtProbe;
import org.bpfsdt.api.spi.Subprog;
import org.bpfsdt.jit.x86_64.asm.Reg;
import org.junit.jupiter.api.Test;

/** What a request must satisfy before any code is generated, and the frames planned for it. */
class ProgramPlanTest {

    private static JitRequest request(String asm, List<Subprog> subprogs) {
        return new JitRequest("t", ProgramType.XDP, Assembler.assemble(asm), List.of(), subprogs, id -> id == 1 ? 0x1000 : 0, List.of(), null);
    }

    private static void refused(Errno errno, String expectedReason, JitRequest request) {
        BpfException e = assertThrows(BpfException.class, () -> ProgramPlan.of(request));
        assertEquals(errno, e.errno());
        assertTrue(e.reason().contains(expectedReason), e.reason());
    }

    @Test
    void malformedRequestsAreRefusedWithAReason() {
        refused(Errno.EINVAL, "leaves its function", request("ja +1\nexit\nexit", List.of(new Subprog(0, 2, 0, ""), new Subprog(2, 3, 0, ""))));
        refused(Errno.EINVAL, "functions must tile", request("exit\nexit", List.of(new Subprog(1, 2, 0, ""))));
        refused(Errno.EINVAL, "cover slots", request("exit\nexit", List.of(new Subprog(0, 1, 0, ""))));
        refused(Errno.EINVAL, "run into the next", request("mov %r0, 0\nexit", List.of(new Subprog(0, 1, 0, ""), new Subprog(1, 2, 0, ""))));
        refused(Errno.EINVAL, "stack depth of 520", request("exit", List.of(new Subprog(0, 1, 520, ""))));
        refused(Errno.EINVAL, "not the start of a function", request("call local f\nexit\nmov %r0, 1\nf:\nexit", List.of(new Subprog(0, 2, 0, ""), new Subprog(2, 4, 0, ""))));
        refused(Errno.EINVAL, "helper 2 has no native entry", request("call 2\nexit", List.of()));
        refused(Errno.EINVAL, "no runtime linkage", request("call 12\nexit", List.of()));
        refused(Errno.ENOTSUPP, "kfunc", request("call runtime 7\nexit", List.of()));
        refused(Errno.ENOTSUPP, "LD_ABS", request("ldabsw 12\nexit", List.of()));
        refused(Errno.EINVAL, "unknown opcode", new JitRequest("t", ProgramType.XDP, List.of(new Insn(0xff, 0, 0, 0, 0), Insn.exit()),
                List.of(), List.of(), null, List.of(), null));
        List<Insn> two = Assembler.assemble("mov %r0, 0\nexit");
        refused(Errno.EINVAL, "aux entries", new JitRequest("t", ProgramType.XDP, two, List.of(InsnAux.plain(0)), List.of(), null, List.of(), null));
        refused(Errno.EINVAL, "instead of the NOP", new JitRequest("t", ProgramType.XDP, two, List.of(), List.of(), null,
                List.of(new SdtProbe("p", 0, 0, 1, new int[0])), null));
    }

    @Test
    void leavesWithoutStackOrCallsGetNoFrame() {
        ProgramPlan plan = ProgramPlan.of(request("""
                mov %r6, 1
                call local f
                add %r0, %r6
                exit
                f:
                mov %r7, %r1
                mov %r0, %r7
                exit
                """, List.of(new Subprog(0, 4, 8, "main"), new Subprog(4, 7, 0, "f"))));
        FunctionPlan main = plan.functions.get(0);
        FunctionPlan f = plan.functions.get(1);
        assertTrue(main.framed());
        assertEquals(List.of(Reg.RBX), main.saved(), "main saves the r6 it writes");
        assertEquals(0, (main.localBytes() + 8 * main.saved().size()) % 16, "calls happen with rsp 16-aligned");
        assertFalse(f.framed(), "a leaf that never touches r10 needs no frame");
        assertEquals(List.of(Reg.R13), f.saved());
    }

    private static MapDescriptor map(int id, String lookupFunction) {
        return new MapDescriptor(id, org.bpfsdt.api.MapType.HASH, 4, 8, 16, 0, false, null, 0, -1, 0x3000, 0, Optional.empty(),
                Optional.of(Assembler.assemble(lookupFunction)));
    }

    /** Two lookups in map 0 (the verifier tied each call to it) and one in map 1. */
    private static JitRequest lookups(MapDescriptor... maps) {
        List<Insn> insns = Assembler.assemble("call 1\ncall 1\ncall 1\nexit");
        List<InsnAux> aux = List.of(new InsnAux(0, true, false, 0, -1), new InsnAux(1, true, false, 0, -1),
                new InsnAux(2, true, false, 1, -1), InsnAux.plain(3));
        return new JitRequest("t", ProgramType.XDP, insns, aux, List.of(), id -> 0, List.of(), null, List.of(maps));
    }

    @Test
    void lookupFunctionsReplaceHelperCallsOncePerMap() {
        ProgramPlan plan = ProgramPlan.of(lookups(map(7, "mov %r0, 0\nexit"), map(8, "mov %r0, %r2\nexit")));
        assertEquals(3, plan.functions.size(), "main, then one function per map");
        assertEquals(List.of("", "lookup in map 7", "lookup in map 8"), plan.functionNames());
        assertEquals(plan.lookupCallAt[0], plan.lookupCallAt[1]);
        assertEquals(2, plan.lookupCallAt[2]);
        assertFalse(plan.mayUpcall, "no helper is called");
        assertTrue(plan.helpers.isEmpty(), "so none needs a native entry");
        assertFalse(plan.functions.get(1).framed(), "a lookup function is a leaf without a frame");
    }

    @Test
    void aLookupFunctionOutsideItsContractIsRefused() {
        refused(Errno.EINVAL, "r0..r5 only", lookups(map(7, "mov %r6, 1\nmov %r0, 0\nexit"), map(8, "mov %r0, 0\nexit")));
        refused(Errno.EINVAL, "calls and packet loads", lookups(map(7, "call 1\nexit"), map(8, "mov %r0, 0\nexit")));
        refused(Errno.EINVAL, "r0..r5 only", lookups(map(7, "stxdw [%r10-8], %r1\nmov %r0, 0\nexit"), map(8, "mov %r0, 0\nexit")));
        refused(Errno.EINVAL, "outside the program", lookups(map(7, "ja +5\nexit"), map(8, "mov %r0, 0\nexit")));
    }

    @Test
    void unverifiedProgramsAreSplitAtCallTargetsWithFullStacks() {
        ProgramPlan plan = ProgramPlan.of(request("call local f\nexit\nf:\nmov %r0, 1\nexit", List.of()));
        assertEquals(2, plan.functions.size());
        assertEquals(2, plan.functions.get(1).start());
        assertEquals(org.bpfsdt.api.isa.Opcodes.STACK_SIZE, plan.functions.get(1).stackDepth());
    }
}
