package org.bpfsdt.core.interp;

/** What a thread allocated on the heap, for tests that runs allocate nothing. */
public final class Allocations {
    private Allocations() {
    }

    /** Bytes this thread allocated so far (tests run on the class path, where the management module is readable). */
    public static long threadBytes() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            return (long) Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes").invoke(bean);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
