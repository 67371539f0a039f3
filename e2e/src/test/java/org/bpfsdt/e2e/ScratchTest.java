package org.bpfsdt.e2e;

import java.nio.file.*;
import java.util.Map;
import org.bpfsdt.api.*;
import org.bpfsdt.core.runtime.CoreRuntime;
import org.bpfsdt.loader.*;
import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void explore() throws Exception {
        byte[] pkt = Files.readAllBytes(Path.of("/work/shared/bench/inputs/pkt_tcp4.bin"));
        byte[] fnv = Files.readAllBytes(Path.of("/work/shared/bench/inputs/pkt_fnv.bin"));
        java.util.List<Path> objs = new java.util.ArrayList<>();
        try (var s = Files.list(Path.of("/work/wt/runtime3/testprogs"))) { s.filter(p -> p.toString().endsWith(".o")).sorted().forEach(objs::add); }
        try (var s = Files.list(Path.of("/work/shared/bench/progs"))) { s.filter(p -> p.toString().endsWith(".o")).sorted().forEach(objs::add); }
        for (Path o : objs) {
            try (CoreRuntime rt = new CoreRuntime()) {
                rt.addVerifier(new org.bpfsdt.verifier.BpfVerifier(), Map.of());
                rt.addMapProvider(new org.bpfsdt.maps.StandardMapProvider(), Map.of());
                ObjectFile f = ObjectFile.open(o);
                for (ObjectProgram p : f.programs()) if (p.type() == null) p.setType(ProgramType.XDP);
                try (LoadedObject lo = f.load(rt)) {
                    for (BpfProgram p : lo.programs()) {
                        try {
                            byte[] d = o.toString().contains("fnv") ? fnv : pkt;
                            TestRunSpec spec = p.type() == ProgramType.TRACING ? TestRunSpec.ctx(new byte[]{64,0,0,0,0,0,0,0,2,0,0,0,0,0,0,0}) : TestRunSpec.data(d);
                            TestRunResult r = p.testRun(spec);
                            System.out.println("E2E " + o.getFileName() + " " + p.name() + " -> " + r.retval() + " out=" + r.dataOut().length);
                        } catch (Exception e) { System.out.println("E2E " + o.getFileName() + " " + p.name() + " RUN FAIL " + e.getMessage()); }
                    }
                } catch (Exception e) { System.out.println("E2E " + o.getFileName() + " LOAD FAIL " + e.getMessage() + (e instanceof BpfException b ? "\n" + b.log().lines().skip(Math.max(0, b.log().lines().count()-8)).reduce("", (a, c) -> a + "\n   " + c) : "")); }
            }
        }
        // trace
    }
}
