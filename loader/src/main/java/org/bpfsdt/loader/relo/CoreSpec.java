package org.bpfsdt.loader.relo;

import java.util.ArrayList;
import java.util.List;

import org.bpfsdt.api.btf.Btf;

/**
 * A CO-RE access path resolved in one BTF (libbpf's {@code bpf_core_spec}): the named accessors
 * a relocation matches by name, the raw indices, and the bit offset they add up to.
 */
final class CoreSpec {
    /** One step: member {@code idx} of composite {@code typeId} (with {@code name}), or array index {@code idx} ({@code name == null}). */
    record Accessor(int typeId, int idx, String name) {
    }

    final Btf btf;
    final int rootTypeId;
    final List<Accessor> accessors = new ArrayList<>();
    final List<Integer> raw = new ArrayList<>();
    long bitOffset;

    CoreSpec(Btf btf, int rootTypeId) {
        this.btf = btf;
        this.rootTypeId = rootTypeId;
    }

    Accessor last() {
        return accessors.get(accessors.size() - 1);
    }

    /** The access path in C form ({@code struct __sk_buff.cb[2]}) for messages. */
    String describe() {
        StringBuilder sb = new StringBuilder(btf.typeName(rootTypeId));
        for (int i = 0; i < accessors.size(); i++) {
            Accessor a = accessors.get(i);
            if (a.name() != null) {
                sb.append('.').append(a.name());
            } else if (i > 0 || a.idx() != 0) {
                sb.append('[').append(a.idx()).append(']');
            }
        }
        return sb.toString();
    }
}
