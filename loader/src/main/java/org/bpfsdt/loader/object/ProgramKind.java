package org.bpfsdt.loader.object;

import org.bpfsdt.api.AttachType;
import org.bpfsdt.api.ProgramType;

/**
 * What a {@code SEC()} name says about a program, as libbpf's section table does.
 *
 * @param type         program type
 * @param attachType   expected attach type, or {@code null}
 * @param attachTarget the text after the prefix's {@code /} ({@code fentry/foo} gives {@code foo}), or {@code ""}
 * @param progFlags    {@code prog_flags} the name implies ({@code BPF_F_SLEEPABLE}, {@code BPF_F_XDP_HAS_FRAGS})
 */
public record ProgramKind(ProgramType type, AttachType attachType, String attachTarget, int progFlags) {
    public static final int BPF_F_SLEEPABLE = 1 << 4;
    public static final int BPF_F_XDP_HAS_FRAGS = 1 << 5;
}
