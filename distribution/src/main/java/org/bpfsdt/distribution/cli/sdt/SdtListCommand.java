package org.bpfsdt.distribution.cli.sdt;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.bpfsdt.loader.ObjectFile;
import org.bpfsdt.loader.ObjectSdtProbe;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bpfsdt sdt list OBJ}: the probes of an object with their argument types, registers and sites. */
@Command(name = "list",
        mixinStandardHelpOptions = true,
        description = {"Lists the SDT probes of a BPF object: each probe's argument types (from its BPF_SDT_DECLARE), "
                + "the registers holding them at the probe, the NOP's place in its section, and the programs whose code holds it "
                + "(program@instruction, subprograms appended)."})
final class SdtListCommand implements Runnable {
    private static final String ROW = "%-20s %-32s %-16s %-14s %s%n";

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "OBJ", description = "a BPF object (clang -target bpf -g)")
    private Path object;

    @Override
    public void run() {
        ObjectFile obj = ObjectFile.open(object);
        PrintWriter out = spec.commandLine().getOut();
        if (obj.sdtProbes().isEmpty()) {
            out.println(obj.fileName() + ": no SDT probes");
        } else {
            out.printf(ROW, "PROBE", "ARGUMENTS", "REGISTERS", "NOP", "SITES");
            for (ObjectSdtProbe p : obj.sdtProbes()) {
                String regs = Arrays.stream(p.argRegs()).mapToObj(r -> "r" + r).collect(Collectors.joining(","));
                String sites = p.sites().stream().map(s -> s.program() + "@" + s.insn()).collect(Collectors.joining(","));
                out.printf(ROW, p.name(), "(" + String.join(", ", p.argTypes()) + ")", regs.isEmpty() ? "-" : regs,
                        p.section() + "+" + p.sectionInsn(), sites.isEmpty() ? "-" : sites);
            }
        }
        out.flush();
    }
}
