package org.bpfsdt.core.exec;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * What the task helpers report about the calling thread, read from the kernel as a task's
 * {@code current} would give it: thread and process ids, user and group ids, the thread's name
 * ({@code comm}) and the NUMA node it runs on. Calls allocate nothing.
 */
public final class Host {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle GETTID = fn("gettid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GETPID = fn("getpid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GETUID = fn("getuid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GETGID = fn("getgid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GETCPU = fn("getcpu", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle PRCTL = fn("prctl", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final int PR_GET_NAME = 16;
    /** {@code TASK_COMM_LEN}. */
    public static final int COMM_LEN = 16;

    private Host() {
    }

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d, Linker.Option.critical(false));
    }

    /** The calling thread's id (the kernel's {@code pid} of a task). */
    public static int tid() {
        try {
            return (int) GETTID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The process id (the kernel's {@code tgid}). */
    public static int pid() {
        try {
            return (int) GETPID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static int uid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static int gid() {
        try {
            return (int) GETGID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The NUMA node of the CPU the thread runs on now, using 8 bytes at {@code scratch}; 0 when the kernel does not say. */
    public static int numaNode(long scratch) {
        try {
            int rc = (int) GETCPU.invokeExact(scratch, scratch + 4);
            return rc == 0 ? (int) NativeMemory.u32(scratch + 4) : 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Writes the thread's {@code comm} (NUL-terminated, at most {@value #COMM_LEN} bytes) at {@code buffer}; false if the kernel refused. */
    public static boolean comm(long buffer) {
        try {
            return (int) PRCTL.invokeExact(PR_GET_NAME, buffer) == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
