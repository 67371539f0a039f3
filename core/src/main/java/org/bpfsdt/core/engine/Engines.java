package org.bpfsdt.core.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.spi.JitCompiler;
import org.bpfsdt.api.spi.JitImage;
import org.bpfsdt.core.exec.GracePeriods;
import org.bpfsdt.core.interp.ExecState;
import org.bpfsdt.core.interp.Interpreter;

/**
 * Engine resolution: tracks the JIT services present (they come and go at any time), picks for
 * each program the best engine — the service for the host's architecture that runs here, with
 * the highest ranking, that supports what the program needs (SDT probes for programs with probe
 * sites and for observers) — and the interpreter when none fits or compilation says
 * {@link Errno#ENOTSUPP}. When a service goes away its programs move to the next best engine;
 * when a better one arrives they move to it. Programs keep their maps and state: only the
 * executable changes, and the old one is closed once no run can still be inside it.
 *
 * <p>Changes are serialised (service events and loads are rare); runs take no lock.
 */
public final class Engines {
    private static final System.Logger LOG = System.getLogger(Engines.class.getName());

    private final String hostArch;
    private final Interpreter interpreter;
    private final GracePeriods grace;
    private final Supplier<ExecState> currentState;
    private final List<JitService> services = new ArrayList<>();
    private final Set<ProgramEngine> programs = new LinkedHashSet<>();
    private long nextOrder;

    public Engines(String hostArch, Interpreter interpreter, GracePeriods grace, Supplier<ExecState> currentState) {
        this.hostArch = HostArch.normalize(hostArch);
        this.interpreter = interpreter;
        this.grace = grace;
        this.currentState = currentState;
    }

    /** The engines present, best first for this host: JITs that run here by ranking, the interpreter, then JITs for other hosts. */
    public synchronized List<EngineInfo> engines() {
        List<EngineInfo> out = new ArrayList<>();
        sorted(s -> s.runsHere(hostArch)).forEach(s -> out.add(s.info(hostArch)));
        out.add(new EngineInfo(EngineInfo.INTERPRETER, "bpf", Integer.MIN_VALUE, true, true));
        sorted(s -> !s.runsHere(hostArch)).forEach(s -> out.add(s.info(hostArch)));
        return out;
    }

    /** The best service named {@code name} (its architecture) whose code runs here. */
    public synchronized Optional<JitService> byName(String name) {
        return sorted(s -> s.arch().equals(HostArch.normalize(name)) && s.runsHere(hostArch)).stream().findFirst();
    }

    /** Whether any service, here or not, has this name: tells "not on this host" from "unknown". */
    public synchronized boolean known(String name) {
        return services.stream().anyMatch(s -> s.arch().equals(HostArch.normalize(name)));
    }

    private List<JitService> sorted(java.util.function.Predicate<JitService> filter) {
        return services.stream().filter(filter)
                .sorted(Comparator.comparingInt(JitService::ranking).reversed().thenComparingLong(JitService::order))
                .toList();
    }

    // services ---------------------------------------------------------------------------------

    /** A JIT service arrived: programs it suits better move to it. */
    public void addJit(JitCompiler compiler, Map<String, ?> props) {
        List<Executable> retired = new ArrayList<>();
        synchronized (this) {
            JitService s = JitService.of(compiler, props, nextOrder++);
            services.add(s);
            if (!s.runsHere(hostArch)) {
                return;
            }
            for (ProgramEngine pe : programs) {
                Executable cur = pe.current();
                boolean better = cur.service() == null || s.beats(cur.service());
                if (pe.pinned() != null || !suits(s, pe.code()) || !better) {
                    continue;
                }
                try {
                    pe.install(compile(s, pe.code()));
                    retired.add(cur);
                } catch (BpfException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "program " + pe.code().id() + " stays on " + cur.engineName()
                            + ": " + s.arch() + " cannot compile it: " + e.getMessage());
                }
            }
        }
        retired.forEach(old -> grace.defer(old::close));
    }

    /** A JIT service went away: its programs move to the next best engine, then its images are closed. */
    public void removeJit(JitCompiler compiler) {
        List<Executable> retired = new ArrayList<>();
        synchronized (this) {
            if (!services.removeIf(s -> s.compiler() == compiler)) {
                return;
            }
            for (ProgramEngine pe : programs) {
                Executable cur = pe.current();
                if (cur.service() != null && cur.service().compiler() == compiler) {
                    pe.install(selectAuto(pe.code(), true));
                    retired.add(cur);
                }
            }
        }
        if (retired.isEmpty()) {
            return;
        }
        ExecState st = currentState.get();
        if (st.inRun()) {
            retired.forEach(old -> grace.defer(old::close));
        } else {
            // the service's code is going away: close its images before returning, once no run is inside them
            grace.synchronize(st);
            retired.forEach(Executable::close);
        }
    }

    /** Whether {@code s} can run {@code code} here: its code runs on this host, with SDT probes when the program needs them. */
    private boolean suits(JitService s, ProgramCode code) {
        return s.runsHere(hostArch) && (s.sdtProbes() || !code.needsSdt());
    }

    // programs ---------------------------------------------------------------------------------

    /**
     * Picks an engine for {@code code} and tracks it from now on. With {@code engine} named, uses
     * that engine or fails ({@code EINVAL} for an unknown one, the JIT's error when it cannot
     * compile); otherwise resolves as the class comment says. {@code onSwap} hears of every
     * executable installed, the first included.
     */
    public synchronized ProgramEngine attach(ProgramCode code, String engine, Consumer<Executable> onSwap) {
        ProgramEngine pe = new ProgramEngine(code, engine == null || engine.isEmpty() ? null : engine, onSwap);
        pe.install(pe.pinned() == null ? selectAuto(code, false) : selectNamed(code, pe.pinned()));
        programs.add(pe);
        return pe;
    }

    /** Stops tracking {@code pe}; its executable is closed once no run can be inside it. */
    public void detach(ProgramEngine pe) {
        Executable cur;
        synchronized (this) {
            if (!programs.remove(pe)) {
                return;
            }
            cur = pe.current();
        }
        grace.defer(cur::close);
    }

    /** An executable of {@code code} on the named engine for a one-off run; the caller closes it. */
    public Executable prepare(ProgramCode code, String engine) {
        synchronized (this) {
            return engine == null || engine.isEmpty() ? selectAuto(code, false) : selectNamed(code, engine);
        }
    }

    private Executable selectNamed(ProgramCode code, String name) {
        if (EngineInfo.INTERPRETER.equals(name)) {
            return interpreted(code);
        }
        JitService s = byName(name).orElseThrow(() -> new BpfException(Errno.EINVAL, known(name)
                ? "the " + name + " JIT cannot run code on this " + hostArch + " host"
                : "no engine named '" + name + "' (engines: " + engines().stream().map(EngineInfo::name).distinct().toList() + ")"));
        if (code.needsSdt() && !s.sdtProbes()) {
            throw new BpfException(Errno.EOPNOTSUPP, "the " + name + " JIT does not support SDT probes, which this program needs");
        }
        return compile(s, code);
    }

    /** The best engine for {@code code}; {@code quiet}: a JIT's failure only moves on (hot swap). */
    private Executable selectAuto(ProgramCode code, boolean quiet) {
        for (JitService s : sorted(s -> suits(s, code))) {
            try {
                return compile(s, code);
            } catch (BpfException e) {
                if (e.errno() != Errno.ENOTSUPP && !quiet) {
                    throw e;
                }
                LOG.log(System.Logger.Level.DEBUG, () -> s.arch() + " JIT passes on program " + code.id() + ": " + e.getMessage());
            }
        }
        return interpreted(code);
    }

    private Interpreted interpreted(ProgramCode code) {
        return new Interpreted(interpreter, code.decoded().get());
    }

    private static Jitted compile(JitService s, ProgramCode code) {
        JitImage image;
        try {
            image = s.compiler().compile(code.request());
        } catch (BpfException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BpfException(Errno.EFAULT, s.arch() + " JIT failed on program " + code.request().name() + ": " + e, e);
        }
        if (image == null || image.entry() == null) {
            if (image != null) {
                image.close();
            }
            throw new BpfException(Errno.ENOTSUPP, s.arch() + " JIT gave no runnable image");
        }
        return new Jitted(s, image, code.id(), code.helpers());
    }

    /** Programs tracked now (for tests and listings). */
    public synchronized List<ProgramEngine> programs() {
        return List.copyOf(programs);
    }
}
