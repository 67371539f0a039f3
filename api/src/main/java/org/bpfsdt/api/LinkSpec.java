package org.bpfsdt.api;

import java.util.Objects;

/**
 * The attributes of {@code BPF_LINK_CREATE}.
 *
 * @param program    the program to attach (for {@link AttachType#TRACE_SDT}: the observer, loaded against its probe)
 * @param attachType the attach type
 * @param target     the object attached to, where the attach type needs one beyond what the program says, or {@code null}
 */
public record LinkSpec(BpfProgram program, AttachType attachType, BpfObject target) {
    public LinkSpec {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(attachType, "attachType");
    }

    public static LinkSpec of(BpfProgram program, AttachType attachType) {
        return new LinkSpec(program, attachType, null);
    }
}
