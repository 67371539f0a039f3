package org.bpfsdt.api.spi;

import org.bpfsdt.api.BpfProgram;

/** What the runtime offers a link implementation. */
public interface LinkContext {
    /** A counted reference to {@code program}'s loaded object. */
    ProgramRef reference(BpfProgram program);
}
