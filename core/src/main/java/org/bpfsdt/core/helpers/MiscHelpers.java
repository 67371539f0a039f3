package org.bpfsdt.core.helpers;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.isa.Opcodes;
import org.bpfsdt.core.exec.NativeCalls;
import org.bpfsdt.core.exec.NativeMemory;
import org.bpfsdt.core.exec.SafeMemory;
import org.bpfsdt.core.interp.HelperTable;

/** Random numbers, the CPU number, {@code bpf_loop}, {@code bpf_tail_call}'s table entry, the probe reads and {@code bpf_strncmp}. */
final class MiscHelpers {
    private MiscHelpers() {
    }

    static void register(HelperTable t) {
        t.register(StandardHelpers.proto(HelperId.GET_PRANDOM_U32), (st, a1, a2, a3, a4, a5) -> st.nextRandom());
        t.register(StandardHelpers.proto(HelperId.GET_SMP_PROCESSOR_ID), (st, a1, a2, a3, a4, a5) -> st.cpu());
        // engines perform tail calls themselves (the interpreter replaces the running program, JITs jump);
        // only a raw run's callx can reach this entry, and a tail call is no function to call
        t.register(StandardHelpers.proto(HelperId.TAIL_CALL), (st, ctx, map, index, a4, a5) -> {
            throw new BpfException(Errno.EINVAL, "bpf_tail_call is performed by the engine at its call site; it cannot be called by number");
        });
        t.register(StandardHelpers.proto(HelperId.LOOP), MiscHelpers::loop);
        // one address space: kernel and user reads are the same fault-tolerant copy
        for (HelperId id : new HelperId[] {HelperId.PROBE_READ_KERNEL, HelperId.PROBE_READ_USER}) {
            t.register(StandardHelpers.proto(id), (st, dst, size, src, a4, a5) -> {
                long n = size & 0xffffffffL;
                if (SafeMemory.copy(dst, src, n, st.scratch())) {
                    return 0;
                }
                NativeMemory.zero(dst, n);
                return -Errno.EFAULT.code();
            });
        }
        for (HelperId id : new HelperId[] {HelperId.PROBE_READ_KERNEL_STR, HelperId.PROBE_READ_USER_STR}) {
            t.register(StandardHelpers.proto(id), (st, dst, size, src, a4, a5) -> {
                int n = (int) Math.min(size & 0xffffffffL, Integer.MAX_VALUE);
                if (n == 0) {
                    return 0;
                }
                int copied = SafeMemory.copyString(dst, src, n, st.scratch());
                if (copied < 0) {
                    NativeMemory.zero(dst, n);
                    return -Errno.EFAULT.code();
                }
                return copied;
            });
        }
        t.register(StandardHelpers.proto(HelperId.STRNCMP), (st, s1, size, s2, a4, a5) -> strncmp(s1, size & 0xffffffffL, s2));
    }

    /** The kernel's {@code strncmp}: -1, 0 or 1. */
    static long strncmp(long s1, long n, long s2) {
        for (long i = 0; i < n; i++) {
            long c1 = NativeMemory.u8(s1 + i);
            long c2 = NativeMemory.u8(s2 + i);
            if (c1 != c2) {
                return c1 < c2 ? -1 : 1;
            }
            if (c1 == 0) {
                break;
            }
        }
        return 0;
    }

    /**
     * {@code long bpf_loop(u32 nr, callback, void *ctx, u64 flags)}: calls {@code callback(i, ctx)}
     * for i = 0, 1, ... until it returns non-zero; returns the number of calls. The callback is
     * a slot of the running program when the interpreter runs it, a native address otherwise.
     */
    private static long loop(org.bpfsdt.core.interp.ExecState st, long nr, long callback, long ctx, long flags, long a5) {
        if (flags != 0) {
            return -Errno.EINVAL.code();
        }
        long n = nr & 0xffffffffL;
        if (n > Opcodes.MAX_LOOPS) {
            return -Errno.E2BIG.code();
        }
        boolean interpreted = st.program() != null;
        if (!interpreted && n > 0 && callback < NativeMemory.FLOOR) {
            // a slot number where native code was expected: calling it would crash the process
            throw new BpfException(Errno.EFAULT, "bpf_loop from native code got callback 0x" + Long.toHexString(callback)
                    + ", which is no native function");
        }
        for (long i = 0; i < n; i++) {
            long r = interpreted ? st.interpreter().callFunction(st, callback, i, ctx, 0, 0, 0)
                    : NativeCalls.call(callback, i, ctx, 0, 0, 0);
            if (r != 0) {
                return i + 1;
            }
        }
        return n;
    }
}
