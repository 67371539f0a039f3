package org.bpfsdt.core.helpers;

import org.bpfsdt.api.Errno;
import org.bpfsdt.api.HelperId;
import org.bpfsdt.api.spi.BpfSpinLock;
import org.bpfsdt.api.spi.MapBackend;
import org.bpfsdt.core.interp.HelperTable;

/**
 * The map helpers: the map pointer a program passes is the address of the map's native header,
 * which leads to its {@link MapBackend}; the backend does what the kernel's {@code map_ops} do
 * and returns what the helper returns (an address, 0, or a negative errno). And the spin lock
 * helpers, on the native {@code struct bpf_spin_lock} word in a map value, with the protocol of
 * the maps' {@code BPF_F_LOCK} copies ({@link BpfSpinLock}), so programs on every thread and
 * Java exclude each other.
 */
final class MapHelpers {
    private static final long EINVAL = -Errno.EINVAL.code();

    private MapHelpers() {
    }

    static void register(HelperTable t, HelperRuntime rt) {
        t.register(StandardHelpers.proto(HelperId.MAP_LOOKUP_ELEM), (st, map, key, a3, a4, a5) -> {
            MapBackend m = rt.mapAt(map);
            return m == null ? 0 : m.lookup(key);
        });
        t.register(StandardHelpers.proto(HelperId.MAP_UPDATE_ELEM), (st, map, key, value, flags, a5) -> {
            MapBackend m = rt.mapAt(map);
            return m == null ? EINVAL : m.update(key, value, flags);
        });
        t.register(StandardHelpers.proto(HelperId.MAP_DELETE_ELEM), (st, map, key, a3, a4, a5) -> {
            MapBackend m = rt.mapAt(map);
            return m == null ? EINVAL : m.delete(key);
        });
        t.register(StandardHelpers.proto(HelperId.MAP_PUSH_ELEM), (st, map, value, flags, a4, a5) -> {
            MapBackend m = rt.mapAt(map);
            return m == null ? EINVAL : m.push(value, flags);
        });
        t.register(StandardHelpers.proto(HelperId.MAP_POP_ELEM), (st, map, value, a3, a4, a5) -> {
            MapBackend m = rt.mapAt(map);
            return m == null ? EINVAL : m.pop(value);
        });
        t.register(StandardHelpers.proto(HelperId.MAP_PEEK_ELEM), (st, map, value, a3, a4, a5) -> {
            MapBackend m = rt.mapAt(map);
            return m == null ? EINVAL : m.peek(value);
        });
        t.register(StandardHelpers.proto(HelperId.SPIN_LOCK), (st, lock, a2, a3, a4, a5) -> {
            BpfSpinLock.lock(lock);
            return 0;
        });
        t.register(StandardHelpers.proto(HelperId.SPIN_UNLOCK), (st, lock, a2, a3, a4, a5) -> {
            BpfSpinLock.unlock(lock);
            return 0;
        });
    }
}
