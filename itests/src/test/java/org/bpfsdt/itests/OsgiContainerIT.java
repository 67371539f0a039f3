package org.bpfsdt.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.bpfsdt.api.BpfRuntime;
import org.bpfsdt.api.EngineInfo;
import org.bpfsdt.api.RawRunOptions;
import org.bpfsdt.api.RawRunResult;
import org.bpfsdt.api.isa.Assembler;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The distribution's bundles in Apache Felix, as Pax Exam boots it: every bundle resolves and
 * starts (all but the interactive console), every Declarative Services component is satisfied,
 * the runtime comes from the service registry and runs a program, and the Gogo commands
 * ({@code bpf:run}, {@code bpf:prog load}, {@code bpf:prog dump}, {@code bpf:sdt trace}) work.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OsgiContainerIT {
    private static final long SERVICE_TIMEOUT_MS = 10_000;
    /** The Gogo console is left out: the test is the shell's user here, through {@link CommandProcessor} (DropinIT types at the console). */
    private static final String CONSOLE = "org.apache.felix.gogo.jline";

    @Inject
    private BundleContext context;

    @Inject
    private ServiceComponentRuntime scr;

    @Inject
    private CommandProcessor shell;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>();
        options.add(cleanCaches(true));
        options.add(junitBundles());
        options.add(frameworkProperty("felix.fileinstall.dir").value(
                Path.of(System.getProperty("java.io.tmpdir"), "bpfsdt-itest-dropins").toString()));
        options.add(frameworkProperty("bpfsdt.examples").value(Distribution.examples().toString()));
        options.add(frameworkProperty("bpfsdt.testprogs").value(Distribution.testprogs().toString()));
        options.add(frameworkProperty("bpfsdt.packet").value(Distribution.packet().toString()));
        Stream.concat(Distribution.osgiRuntime().stream(), Distribution.bundles().stream())
                .filter(jar -> !jar.getFileName().toString().startsWith(CONSOLE))
                .map(jar -> bundle(jar.toUri().toString()).start())
                .forEach(options::add);
        return options(options.toArray(Option[]::new));
    }

    @Test
    public void everyBundleIsActive() {
        List<String> notActive = new ArrayList<>();
        int ours = 0;
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && b.getState() != Bundle.ACTIVE) {
                notActive.add(b.getSymbolicName() + " (state " + b.getState() + ")");
            }
            ours += b.getSymbolicName().startsWith("org.bpfsdt.") ? 1 : 0;
        }
        assertTrue("bundles not active: " + notActive, notActive.isEmpty());
        long shipped = Distribution.bundles().stream().filter(jar -> jar.getFileName().toString().startsWith("bpfsdt-")).count();
        assertEquals("every bpf-sdt bundle of the distribution is installed", shipped, ours);
    }

    @Test
    public void everyComponentOfOurBundlesIsSatisfied() {
        List<String> problems = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (!b.getSymbolicName().startsWith("org.bpfsdt.")) {
                continue;
            }
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(b)) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state != ComponentConfigurationDTO.SATISFIED && c.state != ComponentConfigurationDTO.ACTIVE) {
                        problems.add(d.name + ": " + stateName(c.state) + ", unsatisfied references "
                                + Stream.of(c.unsatisfiedReferences).map(r -> r.name + " (" + r.target + ")").toList()
                                + (c.failure == null ? "" : ", failure " + c.failure));
                    }
                }
            }
        }
        assertTrue("components not satisfied: " + problems, problems.isEmpty());
    }

    @Test
    public void theRuntimeFromTheServiceRegistryRunsAProgram() throws Exception {
        BpfRuntime runtime = await(BpfRuntime.class, null);
        RawRunResult r = runtime.runUnverified(Assembler.assemble("mov %r0, 6\nmul %r0, 7\nexit"), new byte[0],
                RawRunOptions.interpreter());
        assertEquals(42, r.r0());
        assertEquals(EngineInfo.INTERPRETER, r.engine());
    }

    /** What a Gogo session printed, and what each command returned (null on success, else its exit code). */
    private record Session(String out, String err, List<Object> results) {
    }

    /** Runs {@code commands} in one session of the container's Gogo shell, once the {@code bpf:} commands are there. */
    private Session gogo(String... commands) throws Exception {
        await(Object.class, "(osgi.command.scope=bpf)");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<Object> results = new ArrayList<>();
        try (CommandSession session = shell.createSession(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))) {
            for (String c : commands) {
                results.add(session.execute(c));
            }
        }
        return new Session(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), results);
    }

    @Test
    public void theGogoShellRunsAnExample() throws Exception {
        Path hello = Path.of(context.getProperty("bpfsdt.examples"), "hello.asm");
        Session s = gogo("bpf:run '" + hello + "' --mem '01 02 03'", "bpf:run '" + hello + "' --mem 0");
        assertNull("no exit code (success); stderr: " + s.err(), s.results().get(0));
        assertTrue(s.out(), s.out().contains("r0 = 0x30 (48)"));
        assertTrue(s.out(), s.out().contains("engine: interpreter"));
        assertEquals(1, s.results().get(1));
        assertTrue(s.err(), s.err().contains("bpfsdt run: EINVAL: '0' is not hex bytes"));
    }

    /** {@code bpf:prog load} verifies every program of an object in the container; a refusal comes with the verifier's log. */
    @Test
    public void theGogoShellLoadsAndDumpsObjects() throws Exception {
        Path progs = Path.of(context.getProperty("bpfsdt.testprogs"));
        Session s = gogo("bpf:prog load '" + progs.resolve("subprogs.o") + "'",
                "bpf:prog dump xlated '" + progs.resolve("subprogs.o") + "' --prog prog_b",
                "bpf:prog load '" + progs.resolve("rejected/packet_bounds.o") + "'");
        assertNull("no exit code (success); stderr: " + s.err(), s.results().get(0));
        assertTrue(s.out(), s.out().contains("prog_a  id ") && s.out().contains("prog_b  id "));
        assertTrue(s.out(), s.out().contains("  processed "));
        assertNull(s.results().get(1));
        assertTrue(s.out(), s.out().contains("; return square(len / 8); @ subprogs.c:42"));
        assertEquals(1, s.results().get(2));
        assertTrue(s.err(), s.err().contains("bpfsdt prog load: EACCES: packet_bounds.o: program 'ttl_unchecked': "));
        assertTrue(s.err(), s.err().contains("invalid access to packet, off=22 size=1"));
    }

    /** BPF SDT in the container: the links bundle's provider and the JIT's probe sites serve {@code bpf:sdt trace}. */
    @Test
    public void anSdtObserverTracesATargetInTheGogoShell() throws Exception {
        await(org.bpfsdt.api.spi.LinkProvider.class, null);
        Path progs = Path.of(context.getProperty("bpfsdt.testprogs"));
        Session s = gogo("bpf:sdt trace '" + progs.resolve("sdt_read_args.o") + "' --prog read_args --data-in '"
                + context.getProperty("bpfsdt.packet") + "' --observe 'probe_len_ret=" + progs.resolve("sdt_read_args_obs.o")
                + ":obs_read_args'");
        assertNull("no exit code (success); stderr: " + s.err(), s.results().get(0));
        assertTrue(s.out(), s.out().contains("read_args: retval 2, 1 run on "));
        assertTrue(s.out(), s.out().contains("obs_len = 64\nobs_ret = 2\nobs_hits = 1\n"));
    }

    private static String stateName(int state) {
        return switch (state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "unsatisfied configuration";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "unsatisfied reference";
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> "failed activation";
            default -> "state " + state;
        };
    }

    /** The service of {@code type} (matching {@code filter}), waiting for SCR to activate it. */
    private <T> T await(Class<T> type, String filter) throws Exception {
        String f = "(&(" + Constants.OBJECTCLASS + "=" + (type == Object.class ? "*" : type.getName()) + ")"
                + (filter == null ? "" : filter) + ")";
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, context.createFilter(f), null);
        tracker.open(true);
        T service = tracker.waitForService(SERVICE_TIMEOUT_MS);
        assertNotNull("no service " + f + " within " + SERVICE_TIMEOUT_MS + " ms", service);
        return service;
    }
}
