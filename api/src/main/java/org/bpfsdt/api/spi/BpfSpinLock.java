package org.bpfsdt.api.spi;

import java.lang.invoke.VarHandle;
import java.lang.foreign.ValueLayout;

/**
 * The protocol of a {@code struct bpf_spin_lock} ({@code u32}, 0 = free, 1 = held) inside a map
 * value. The runtime's {@code bpf_spin_lock}/{@code bpf_spin_unlock} helpers and the maps'
 * {@code BPF_F_LOCK} copies must use these methods so they exclude each other.
 */
public final class BpfSpinLock {
    private static final VarHandle WORD = ValueLayout.JAVA_INT.varHandle();
    private static final int SPINS_BEFORE_YIELD = 64;

    private BpfSpinLock() {
    }

    /** Takes the lock at {@code address} (4-byte aligned), spinning while another thread holds it. */
    public static void lock(long address) {
        int spins = 0;
        while (!WORD.compareAndSet(NativeView.ALL, address, 0, 1)) {
            // a holder only copies a value, so waiting is short; yield in case it was descheduled
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Releases the lock at {@code address}. */
    public static void unlock(long address) {
        WORD.setRelease(NativeView.ALL, address, 0);
    }
}
