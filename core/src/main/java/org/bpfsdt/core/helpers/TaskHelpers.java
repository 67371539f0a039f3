package org.bpfsdt.core.helpers;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.core.exec.Host;
import org.bpfsdt.core.exec.NativeMemory;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.HelperTable;

/** What a program learns of the task it runs in: here the calling thread of this process, as the kernel reports {@code current}. */
final class TaskHelpers {
    private TaskHelpers() {
    }

    static void register(HelperTable t) {
        t.register(StandardHelpers.proto(HelperId.GET_CURRENT_PID_TGID),
                (st, a1, a2, a3, a4, a5) -> (long) Host.pid() << 32 | Integer.toUnsignedLong(Host.tid()));
        t.register(StandardHelpers.proto(HelperId.GET_CURRENT_UID_GID),
                (st, a1, a2, a3, a4, a5) -> (long) Host.gid() << 32 | Integer.toUnsignedLong(Host.uid()));
        t.register(StandardHelpers.proto(HelperId.GET_CURRENT_COMM), TaskHelpers::comm);
        t.register(StandardHelpers.proto(HelperId.GET_NUMA_NODE_ID), (st, a1, a2, a3, a4, a5) -> Host.numaNode(st.scratch()));
    }

    /** {@code bpf_get_current_comm(buf, size)}: the name, cut to {@code size - 1} bytes and padded with NULs, as {@code strscpy_pad}. */
    private static long comm(ExecState st, long buf, long size, long a3, long a4, long a5) {
        long n = size & 0xffffffffL;
        long name = st.scratch() + ExecState.SCRATCH_HEADER;
        NativeMemory.zero(name, Host.COMM_LEN + 1);
        if (!Host.comm(name)) {
            NativeMemory.zero(buf, n);
            return -Errno.EINVAL.code();
        }
        for (long i = 0; i < n; i++) {
            long c = i < n - 1 && i < Host.COMM_LEN ? NativeMemory.u8(name + i) : 0;
            NativeMemory.put8(buf + i, c);
            if (c == 0) {
                NativeMemory.zero(buf + i, n - i);
                break;
            }
        }
        return 0;
    }
}
