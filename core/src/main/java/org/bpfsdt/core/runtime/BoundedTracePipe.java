package org.bpfsdt.core.runtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.bpfsdt.api.TracePipe;

/**
 * The trace pipe: a bounded buffer of {@code bpf_trace_printk} lines. When it is full the
 * oldest line is dropped (and counted), as the kernel's ring buffer overwrites; readers block
 * in {@link #poll} until a line comes. Subscribers see every line as it is printed.
 */
public final class BoundedTracePipe implements TracePipe {
    private final int capacity;
    private final ArrayDeque<Line> lines = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final List<Consumer<Line>> listeners = new CopyOnWriteArrayList<>();
    private long dropped;

    public BoundedTracePipe(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Appends a line (from a helper); never blocks on readers. Subscribers hear of it first, so a
     * reader that takes the line knows every subscriber has seen it; a subscriber that throws is
     * skipped (a program's print must not fail because of it).
     */
    public void print(Line line) {
        for (Consumer<Line> l : listeners) {
            try {
                l.accept(line);
            } catch (RuntimeException e) {
                System.getLogger(BoundedTracePipe.class.getName()).log(System.Logger.Level.WARNING, "trace pipe subscriber failed", e);
            }
        }
        lock.lock();
        try {
            if (lines.size() == capacity) {
                lines.pollFirst();
                dropped++;
            }
            lines.addLast(line);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Line> drain() {
        lock.lock();
        try {
            List<Line> out = new ArrayList<>(lines);
            lines.clear();
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Line poll(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (lines.isEmpty()) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return lines.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<Line> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Lines dropped because the pipe was full. */
    public long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    int capacity() {
        return capacity;
    }

}
