package org.bpfsdt.core.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;

/**
 * Live objects of one kind by id, with the kernel's id policy: ids start at 1 and go up
 * cyclically ({@code idr_alloc_cyclic}), skipping ids in use. Lookups take no lock and allocate
 * nothing (a tail call looks programs up by id while it runs): they probe an immutable
 * open-addressing snapshot that every change replaces.
 */
final class IdTable<T> {
    private final TreeMap<Integer, T> byId = new TreeMap<>();
    private int next = 1;
    private volatile Snapshot snapshot = new Snapshot(new int[8], new Object[8]);

    private record Snapshot(int[] keys, Object[] values) {
    }

    /** Adds {@code value} under a fresh id, which {@code create} receives before the value is visible. */
    synchronized int add(java.util.function.IntFunction<T> create) {
        int id = freeId();
        T value = create.apply(id);
        byId.put(id, value);
        next = id == Integer.MAX_VALUE ? 1 : id + 1;
        publish();
        return id;
    }

    private int freeId() {
        if (byId.size() >= Integer.MAX_VALUE - 1) {
            throw new BpfException(Errno.ENOSPC, "no free ids");
        }
        int id = next;
        while (byId.containsKey(id)) {
            id = id == Integer.MAX_VALUE ? 1 : id + 1;
        }
        return id;
    }

    synchronized boolean remove(int id, T value) {
        if (byId.get(id) != value) {
            return false;
        }
        byId.remove(id);
        publish();
        return true;
    }

    @SuppressWarnings("unchecked")
    T get(int id) {
        Snapshot s = snapshot;
        int mask = s.keys.length - 1;
        for (int i = mix(id) & mask; ; i = (i + 1) & mask) {
            int k = s.keys[i];
            if (k == id) {
                return (T) s.values[i];
            }
            if (k == 0) {
                return null;
            }
        }
    }

    synchronized List<T> values() {
        return new ArrayList<>(byId.values());
    }

    private void publish() {
        int c = 8;
        while (c < byId.size() * 2 + 2) {
            c <<= 1;
        }
        int cap = c;
        int[] keys = new int[cap];
        Object[] values = new Object[cap];
        byId.forEach((k, v) -> {
            int i = mix(k) & (cap - 1);
            while (keys[i] != 0) {
                i = (i + 1) & (cap - 1);
            }
            keys[i] = k;
            values[i] = v;
        });
        snapshot = new Snapshot(keys, values);
    }

    private static int mix(int id) {
        return id * 0x9E3779B9 >>> 7;
    }
}
