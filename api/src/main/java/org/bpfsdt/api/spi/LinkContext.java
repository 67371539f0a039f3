package org.bpfsdt.api.spi;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.BpfProgram;
import org.bpfsdt.api.Errno;

/** What the runtime offers a link implementation. */
public interface LinkContext {
    /** A counted reference to {@code program}'s loaded object. */
    ProgramRef reference(BpfProgram program);

    /**
     * For an SDT observer (a program loaded with {@link org.bpfsdt.api.AttachType#TRACE_SDT}): the
     * probe it was loaded against, with a new reference on its target for the caller to close.
     * {@code EINVAL} when {@code observer} was loaded as something else.
     */
    default SdtAttachPoint sdtAttachPoint(ProgramRef observer) {
        throw new BpfException(Errno.EOPNOTSUPP, "this runtime does not attach SDT observers");
    }

    /**
     * Runs {@code action} once every program run that started before this call has finished (a
     * grace period), so code a run may still be executing (a replaced trampoline) is freed only
     * when no run can be inside it. The default runs it at once, right only where nothing runs.
     */
    default void afterGracePeriod(Runnable action) {
        action.run();
    }
}
