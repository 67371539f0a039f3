package org.bpfsdt.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Malformed programs get a clear error naming the instruction, and nothing runs. */
class BadInputTest {
    private final CoreRuntime runtime = new CoreRuntime();

    @AfterEach
    void close() {
        runtime.close();
    }

    private BpfException rejected(Insn... insns) {
        return assertThrows(BpfException.class, () -> runtime.runUnverified(List.of(insns), new byte[0], RawRunOptions.interpreter()));
    }

    private static void names(BpfException e, Errno errno, String start, String contains) {
        assertEquals(errno, e.errno());
        assertTrue(e.reason().startsWith(start) && e.reason().contains(contains), e.reason());
    }

    @Test
    void unknownOpcode() {
        names(rejected(Insn.mov64Imm(0, 0), new Insn(0xff, 0, 0, 0, 0), Insn.exit()), Errno.EINVAL, "insn 1 ", "unknown opcode 0xff");
        names(rejected(new Insn(0x8e, 0, 0, 0, 0), Insn.exit()), Errno.EINVAL, "insn 0 ", "unknown opcode 0x8e");
    }

    @Test
    void badRegisters() {
        names(rejected(new Insn(0xbf, 11, 0, 0, 0), Insn.exit()), Errno.EINVAL, "insn 0 ", "bad destination register r11");
        names(rejected(new Insn(0xbf, 0, 12, 0, 0), Insn.exit()), Errno.EINVAL, "insn 0 ", "bad source register r12");
        names(rejected(Insn.mov64Imm(10, 0), Insn.exit()), Errno.EINVAL, "insn 0 ", "read-only");
    }

    @Test
    void jumpsOutOfTheProgram() {
        names(rejected(Insn.ja(5), Insn.exit()), Errno.EINVAL, "insn 0 ", "outside the program");
        names(rejected(Insn.jmpImm(Opcodes.JEQ, 0, 0, -3), Insn.exit()), Errno.EINVAL, "insn 0 ", "outside the program");
        names(rejected(Insn.callLocal(9), Insn.exit()), Errno.EINVAL, "insn 0 ", "call target");
    }

    @Test
    void truncatedLddw() {
        names(rejected(Insn.mov64Imm(0, 0), Insn.exit(), new Insn(Opcodes.LDDW, 0, 0, 0, 1)), Errno.EINVAL, "insn 2 ", "truncated LDDW");
        names(rejected(new Insn(Opcodes.LDDW, 0, 0, 0, 1), Insn.exit()), Errno.EINVAL, "insn 0 ", "truncated LDDW");
    }

    @Test
    void noExitAndEmpty() {
        assertEquals("the program has no exit instruction", rejected(Insn.mov64Imm(0, 0), Insn.ja(-2)).reason());
        assertEquals("the program is empty", rejected().reason());
        names(rejected(Insn.exit(), Insn.mov64Imm(0, 0)), Errno.EINVAL, "insn 1 ", "run off the end");
    }

    @Test
    void whatOnlyTheVerifierMayResolve() {
        Insn[] map = Insn.lddw(1, Opcodes.PSEUDO_MAP_FD, 3);
        names(rejected(map[0], map[1], Insn.exit()), Errno.EINVAL, "insn 0 ", "BPF_PSEUDO_MAP_FD must be resolved by the verifier");
        names(rejected(Insn.call(9999), Insn.exit()), Errno.EINVAL, "insn 0 ", "unknown helper #9999");
        names(rejected(new Insn(Opcodes.CALL_OP, 0, Opcodes.PSEUDO_KFUNC_CALL, 0, 7), Insn.exit()), Errno.ENOTSUPP, "insn 0 ", "kfunc");
    }

    @Test
    void callxToANonHelperFailsAtRunTime() {
        BpfException e = assertThrows(BpfException.class, () -> runtime.runUnverified(
                List.of(Insn.mov64Imm(2, 777), new Insn(Opcodes.CALLX_OP, 2, 0, 0, 0), Insn.exit()), new byte[0], RawRunOptions.interpreter()));
        names(e, Errno.EINVAL, "insn 1 (call %r2)", "r2 = 777 is no helper");
    }

    @Test
    void unknownEngine() {
        BpfException e = assertThrows(BpfException.class, () -> runtime.runUnverified(List.of(Insn.exit()), new byte[0], RawRunOptions.on("pdp11")));
        assertTrue(e.reason().contains("no engine named 'pdp11'"), e.reason());
    }
}
