package org.bpfsdt.verifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.TestRunSpec;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.loader.LoadedObject;
import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectProgram;
import org.bpfsdt.maps.StandardMapProvider;
import org.bpfsdt.oracle.KernelBpf;
import org.bpfsdt.oracle.KernelObject;

/**
 * One program of a {@code testprogs/} object, loaded as a user loads it (the runtime with this
 * verifier and the standard maps) and, where the syscall works, into the running kernel as
 * libbpf would, with the same global variables: the verdict, and the result of a run on the
 * shared TCP packet, on both sides.
 */
final class ClangObjects {
    private ClangObjects() {
    }

    /** What loading and running one program gave: its return value, or the refusal. */
    record Outcome(Long retval, BpfException refusal) {
        boolean accepted() {
            return refusal == null;
        }

        @Override
        public String toString() {
            return accepted() ? "retval " + retval : "refused: " + refusal.errno() + " " + refusal.getMessage();
        }
    }

    static ObjectFile open(String object) {
        return ObjectFile.open(ObjectProgramsTest.root().resolve("testprogs").resolve(object));
    }

    static byte[] packet() {
        try {
            return Files.readAllBytes(Shared.dir().resolve("bench").resolve("inputs").resolve("pkt_tcp4.bin"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Only {@code program} of {@code obj} is loaded (the others may be refused with these globals). */
    private static ObjectFile only(ObjectFile obj, String program) {
        for (ObjectProgram p : obj.programs()) {
            p.setAutoload(p.name().equals(program));
        }
        return obj;
    }

    /** {@code program} of {@code obj} (globals as set on it) loaded into bpf-sdt and run once on the packet. */
    static Outcome here(ObjectFile obj, String program) {
        try (CoreRuntime rt = new CoreRuntime()) {
            rt.addVerifier(new BpfVerifier(), Map.of());
            rt.addMapProvider(new StandardMapProvider(), Map.of());
            try (LoadedObject loaded = only(obj, program).load(rt)) {
                return new Outcome(loaded.program(program).testRun(TestRunSpec.data(packet())).retval(), null);
            } catch (BpfException e) {
                return new Outcome(null, e);
            }
        }
    }

    /** The same in the running kernel, or null where the syscall is not available. */
    static Outcome kernel(ObjectFile obj, String program) {
        if (!KernelBpf.availability().available()) {
            return null;
        }
        try (KernelObject k = KernelObject.load(only(obj, program))) {
            return new Outcome(Integer.toUnsignedLong(k.run(program, packet(), null, 1).retval()), null);
        } catch (BpfException e) {
            return new Outcome(null, e);
        }
    }
}
