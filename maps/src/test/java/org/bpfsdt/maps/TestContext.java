package org.bpfsdt.maps;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.ProgramType;
import org.bpfsdt.api.spi.MapContext;
import org.bpfsdt.api.spi.ProgramRef;

/**
 * The runtime as maps see it, small enough for tests: a settable CPU per thread, programs with
 * counted references, and grace periods that end when every program run that was active at
 * {@link #afterGracePeriod} time has left ({@link #enterRun()} / {@link Run#close()}).
 */
public final class TestContext implements MapContext {
    private final int cpus;
    private final ThreadLocal<Integer> cpu = ThreadLocal.withInitial(() -> 0);
    private final Map<Integer, TestProgram> programs = new HashMap<>();
    private final Set<Run> active = new HashSet<>();
    private final List<Pending> pending = new ArrayList<>();
    private final AtomicInteger gracePeriodActions = new AtomicInteger();

    public TestContext(int cpus) {
        this.cpus = cpus;
    }

    public TestContext() {
        this(4);
    }

    @Override
    public int possibleCpus() {
        return cpus;
    }

    @Override
    public int currentCpu() {
        return cpu.get();
    }

    /** Makes the calling thread run "on" {@code n}. */
    public void onCpu(int n) {
        cpu.set(n);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    // programs ------------------------------------------------------------------------------

    /** A loaded program with this id and type; the test holds one reference. */
    public synchronized TestProgram addProgram(int id, ProgramType type, long descriptor) {
        TestProgram p = new TestProgram(id, type, descriptor);
        programs.put(id, p);
        return p;
    }

    @Override
    public synchronized ProgramRef acquireProgram(int id) {
        TestProgram p = programs.get(id);
        if (p == null) {
            throw new BpfException(Errno.ENOENT, "no program with id " + id);
        }
        return p.acquire();
    }

    /** A program whose references are counted, like the runtime's. */
    public static final class TestProgram {
        private final int id;
        private final ProgramType type;
        private final long descriptor;
        private final AtomicInteger refs = new AtomicInteger();

        TestProgram(int id, ProgramType type, long descriptor) {
            this.id = id;
            this.type = type;
            this.descriptor = descriptor;
        }

        /** References maps hold now. */
        public int references() {
            return refs.get();
        }

        ProgramRef acquire() {
            refs.incrementAndGet();
            return new ProgramRef() {
                private boolean closed;

                @Override
                public int id() {
                    return id;
                }

                @Override
                public ProgramType type() {
                    return type;
                }

                @Override
                public long descriptor() {
                    return descriptor;
                }

                @Override
                public long run(long ctx) {
                    return id;
                }

                @Override
                public synchronized void close() {
                    if (!closed) {
                        closed = true;
                        refs.decrementAndGet();
                    }
                }
            };
        }
    }

    // grace periods -------------------------------------------------------------------------

    /** A program run in progress: memory retired during it stays valid until it closes. */
    public final class Run implements AutoCloseable {
        @Override
        public void close() {
            List<Runnable> ready = new ArrayList<>();
            synchronized (TestContext.this) {
                active.remove(this);
                for (var it = pending.iterator(); it.hasNext();) {
                    Pending p = it.next();
                    p.waitFor.remove(this);
                    if (p.waitFor.isEmpty()) {
                        ready.add(p.action);
                        it.remove();
                    }
                }
            }
            ready.forEach(TestContext.this::runAction);
        }
    }

    private record Pending(Runnable action, Set<Run> waitFor) {
    }

    public synchronized Run enterRun() {
        Run r = new Run();
        active.add(r);
        return r;
    }

    @Override
    public void afterGracePeriod(Runnable action) {
        synchronized (this) {
            if (!active.isEmpty()) {
                pending.add(new Pending(action, new HashSet<>(active)));
                return;
            }
        }
        runAction(action);
    }

    private void runAction(Runnable action) {
        gracePeriodActions.incrementAndGet();
        action.run();
    }

    /** Grace-period actions run so far. */
    public int gracePeriodActions() {
        return gracePeriodActions.get();
    }

    /** Actions still waiting for runs to end. */
    public synchronized int pendingActions() {
        return pending.size();
    }
}
