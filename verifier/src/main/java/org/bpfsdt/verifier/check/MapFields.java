package org.bpfsdt.verifier.check;

import org.bpfsdt.api.btf.Btf;
import org.bpfsdt.api.btf.BtfType;
import org.bpfsdt.api.spi.MapDescriptor;

/** Special fields of map values the verifier protects, found from the value's BTF as the kernel does (btf_parse_fields). */
final class MapFields {
    private MapFields() {
    }

    /** The offset of the value's {@code struct bpf_spin_lock}: the descriptor's, else a top-level member of that type in the value's BTF; -1 when none. */
    static int spinLockOffset(MapDescriptor m) {
        if (m.spinLockOffset() >= 0) {
            return m.spinLockOffset();
        }
        Btf btf = m.btf();
        if (btf == null || m.btfValueTypeId() <= 0) {
            return -1;
        }
        try {
            BtfType t = btf.resolve(m.btfValueTypeId());
            if (isSpinLock(btf, t)) {
                return 0;
            }
            if (t instanceof BtfType.Struct s) {
                for (BtfType.Member mem : s.members()) {
                    if (mem.bitfieldSize() == 0 && isSpinLock(btf, btf.resolve(mem.type()))) {
                        return mem.bitOffset() / 8;
                    }
                }
            }
        } catch (RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static boolean isSpinLock(Btf btf, BtfType t) {
        return t instanceof BtfType.Struct s && s.name().equals("bpf_spin_lock");
    }
}
