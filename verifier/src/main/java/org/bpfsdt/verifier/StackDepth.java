package org.bpfsdt.verifier;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.verifier.check.Env;

/**
 * The stack a call chain needs (the kernel's check_max_stack_depth): each frame's depth
 * rounded to 16 bytes as for JIT-compiled programs, at most 512 bytes along any chain of
 * calls (callbacks count as calls), at most 8 frames.
 */
final class StackDepth {
    private StackDepth() {
    }

    static void check(Env env) {
        walk(env, 0, 0, 1);
    }

    private static boolean hasTailCall(Env env, int start, int end) {
        for (int i = start; i < end; i++) {
            Insn in = env.insns[i];
            if (!env.cfg.isLddwTail(i) && env.aux[i].seen && in.isHelperCall() && in.imm() == org.bpfsdt.api.HelperId.TAIL_CALL.id()) {
                return true;
            }
        }
        return false;
    }

    private static void walk(Env env, int subprog, int depth, int frames) {
        if (frames > Opcodes.MAX_CALL_FRAMES) {
            throw new VerifyError(Errno.E2BIG, String.format("the call stack of %d frames is too deep !", frames));
        }
        int d = depth + ((Math.max(env.subprogStack[subprog], 0) + 15) & ~15);
        if (d > Opcodes.STACK_SIZE) {
            throw VerifyError.access("combined stack size of %d calls is %d. Too large", frames, d);
        }
        int start = env.cfg.subprogStart(subprog);
        int end = env.cfg.subprogEnd(subprog);
        // a tail call replaces the program but keeps the callers' frames: they must leave room for it
        if (subprog != 0 && depth >= 256 && hasTailCall(env, start, end)) {
            throw VerifyError.access("tail_calls are not allowed when call stack of previous frames is %d bytes. Too large", depth);
        }
        for (int i = start; i < end; i++) {
            Insn in = env.insns[i];
            if (env.cfg.isLddwTail(i) || !env.aux[i].seen) {
                continue;
            }
            if (in.isLocalCall() || (in.isLddw() && in.src() == Opcodes.PSEUDO_FUNC)) {
                int callee = env.cfg.subprogAt(i + 1 + in.imm());
                walk(env, callee, d, frames + 1);
            }
        }
    }
}
